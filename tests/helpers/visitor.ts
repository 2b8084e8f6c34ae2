import { readEvents } from '../../src/lib/sse-client';
import type { StreamEventName, StreamEvents } from '../../src/lib/types/stream';

/** A cookie-keeping HTTP client: one visitor of the app. */
export class Visitor {
	cookie = '';
	/** Other cookies the app set (one-shot notices after a redirect), as `name=value`. */
	private others = new Map<string, string>();
	constructor(readonly base: string) {}

	/** First visit: auto-registers and keeps the session cookie. */
	static async arrive(base: string, headers: Record<string, string> = {}) {
		const v = new Visitor(base);
		const res = await v.fetch('/', { headers });
		if (res.status !== 200) throw new Error(`arrival answered ${res.status}`);
		await res.text();
		return v;
	}

	async fetch(path: string, init: RequestInit = {}) {
		const headers = new Headers(init.headers);
		const jar = [this.cookie, ...this.others.values()].filter(Boolean).join('; ');
		if (jar) headers.set('cookie', jar);
		if (!headers.has('origin') && init.method && init.method !== 'GET') headers.set('origin', this.base);
		const res = await fetch(this.base + path, { redirect: 'manual', ...init, headers });
		const set = res.headers.getSetCookie();
		for (const c of set) {
			const [pair] = c.split(';');
			const name = pair.slice(0, pair.indexOf('='));
			const gone = /max-age=0|expires=thu, 01 jan 1970/i.test(c);
			if (name === 'oreai_session') this.cookie = pair;
			else if (gone) this.others.delete(name);
			else this.others.set(name, pair);
		}
		return res;
	}

	async html(path: string) {
		const res = await this.fetch(path);
		return { status: res.status, body: await res.text() };
	}

	/** tRPC over HTTP (v10 wire format, no transformer). */
	async query(proc: string, input?: unknown) {
		const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
		const res = await this.fetch(`/api/trpc/${proc}${q}`);
		return { status: res.status, body: (await res.json()) as any };
	}

	async mutate(proc: string, input?: unknown) {
		const res = await this.fetch(`/api/trpc/${proc}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(input ?? null)
		});
		return { status: res.status, body: (await res.json()) as any };
	}

	/** A form action POST, as a browser without JavaScript sends it. */
	async form(path: string, fields: Record<string, string>) {
		return this.fetch(path, {
			method: 'POST',
			// A browser's Accept: SvelteKit answers form actions for fetch() callers as JSON otherwise.
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' },
			body: new URLSearchParams(fields).toString()
		});
	}

	async chatIds(): Promise<string[]> {
		const { body } = await this.query('chats.list');
		return body.result.data.map((c: { id: string }) => c.id);
	}

	send(chatId: string, body: unknown, init: RequestInit = {}) {
		return this.fetch(`/api/chats/${chatId}/messages`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: typeof body === 'string' ? body : JSON.stringify(body),
			...init
		});
	}
}

type AnyPayload = StreamEvents['start'] & StreamEvents['delta'] & StreamEvents['done'] & StreamEvents['error'];

/** An event as tests read it: the wire's event name, and whichever payload fields it carries. */
export type SseEvent = { event: StreamEventName; data: Partial<AnyPayload> };

/** Reads a whole SSE response into events, with the page's own parser. */
export async function readSse(res: Response, onEvent?: (e: SseEvent) => void): Promise<SseEvent[]> {
	const events: SseEvent[] = [];
	await readEvents(res, (e) => {
		events.push(e);
		onEvent?.(e);
	});
	return events;
}

export const textOf = (events: SseEvent[]) => events.map((e) => (e.event === 'delta' ? e.data.text : '')).join('');
