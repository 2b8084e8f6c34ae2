import { Agent, request } from 'undici';

/**
 * The SDK's HTTP transport: a `fetch` for the OpenAI SDK built on undici's `request`, whose
 * body is a Node stream rather than a WHATWG one. The SDK reads any async-iterable body
 * directly, so a streamed reply skips the web-stream layer (a promise and a queue per chunk
 * on each side): the profile at 500 streams put fetch and its streams at about a fifth of
 * the app's CPU. Request building, auth, retries and errors stay the SDK's own; a streamed
 * reply's events are parsed in `chat-stream.ts`.
 */
const agent = new Agent({
	keepAliveTimeout: 10_000,
	// The SDK's own timeout and our silence watch end a stalled reply; the agent never should.
	headersTimeout: 0,
	bodyTimeout: 0
});

type Body = Awaited<ReturnType<typeof request>>['body'];

/** The part of `Response` the SDK reads. */
class StreamedResponse {
	readonly ok: boolean;
	readonly headers = new Headers();
	readonly bodyUsed = false;

	constructor(
		readonly url: string,
		readonly status: number,
		raw: Record<string, string | string[] | undefined>,
		readonly body: Body
	) {
		this.ok = status >= 200 && status < 300;
		for (const [name, value] of Object.entries(raw)) {
			if (Array.isArray(value)) for (const v of value) this.headers.append(name, v);
			else if (value !== undefined) this.headers.set(name, value);
		}
	}

	json(): Promise<unknown> {
		return this.body.json();
	}

	text(): Promise<string> {
		return this.body.text();
	}
}

export const upstreamFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
	const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
	const headers: Record<string, string> = {};
	new Headers(init.headers).forEach((value, name) => (headers[name] = value));
	const res = await request(url, {
		method: (init.method ?? 'GET') as 'GET',
		headers,
		body: (init.body ?? undefined) as string | undefined,
		signal: init.signal ?? undefined,
		dispatcher: agent
	});
	return new StreamedResponse(url, res.statusCode, res.headers, res.body) as unknown as Response;
};
