import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from './upstream-errors';
import { readChatStream } from './chat-stream';

/** A Response whose body arrives in exactly these byte pieces. */
function streamed(pieces: (string | Uint8Array)[]): Response {
	const enc = new TextEncoder();
	const body = new ReadableStream<Uint8Array>({
		start(c) {
			for (const p of pieces) c.enqueue(typeof p === 'string' ? enc.encode(p) : p);
			c.close();
		}
	});
	return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const chunk = (content: string, finish: string | null = null) =>
	`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

async function texts(res: Response) {
	const out: string[] = [];
	await readChatStream(res, (c) => out.push(c.choices[0]?.delta?.content ?? ''));
	return out;
}

describe('readChatStream', () => {
	it('reads events split anywhere, even inside a multi-byte character, and stops at [DONE]', async () => {
		const whole = new TextEncoder().encode(chunk('héllo ') + chunk('wörld 🙂') + ': comment\n\n' + chunk('', 'stop'));
		const pieces: Uint8Array[] = [];
		for (let i = 0; i < whole.length; i += 3) pieces.push(whole.slice(i, i + 3));
		const done = new TextEncoder().encode('data: [DONE]\n\n' + chunk('after done'));
		expect(await texts(streamed([...pieces, done]))).toEqual(['héllo ', 'wörld 🙂', '']);
	});

	it('reads CRLF line ends and a last event without its blank line', async () => {
		expect(await texts(streamed([chunk('a').replaceAll('\n', '\r\n'), chunk('b').trimEnd()]))).toEqual(['a', 'b']);
	});

	it('turns an error object in the stream into the SDK error, classified as before', async () => {
		const res = streamed([
			chunk('partial'),
			`data: ${JSON.stringify({ error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } })}\n\n`
		]);
		const seen: string[] = [];
		const err = await readChatStream(res, (c) => seen.push(c.choices[0].delta.content ?? '')).catch((e) => e);
		expect(seen).toEqual(['partial']);
		expect(err).toBeInstanceOf(OpenAI.APIError);
		expect(classifyUpstreamError(err)).toBe('upstream_quota');
	});

	it('turns an `event: error` into the SDK error', async () => {
		const res = streamed([`event: error\ndata: ${JSON.stringify({ error: { message: 'overloaded' } })}\n\n`]);
		const err = await texts(res).catch((e) => e);
		expect(err).toBeInstanceOf(OpenAI.APIError);
		expect(classifyUpstreamError(err)).toBe('network');
	});

	it('fails on data that is not JSON, and on a response without a body', async () => {
		await expect(texts(streamed(['data: {not json\n\n']))).rejects.toThrow(SyntaxError);
		await expect(texts(new Response(null))).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
	});
});
