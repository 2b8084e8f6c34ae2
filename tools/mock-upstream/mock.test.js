// @ts-check
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { createMockHandler, generateReplyTokens, parseDirective, tokenize } from './core.js';
import { startMockServer } from './server.js';

/** @type {Awaited<ReturnType<typeof startMockServer>>} */
let mock;
/** @type {OpenAI} */
let client;

beforeAll(async () => {
	mock = await startMockServer({ model: 'mock-small' });
	client = new OpenAI({ apiKey: 'test-key', baseURL: mock.url, maxRetries: 0 });
});
afterAll(async () => {
	await mock?.close();
});
beforeEach(() => {
	mock.handler.reset();
});

/** @param {string} content */
const user = (content) => [{ role: /** @type {const} */ ('user'), content }];

/**
 * Collect a streaming completion.
 * @param {AsyncIterable<any>} stream
 */
async function collect(stream) {
	/** @type {string[]} */
	const deltas = [];
	/** @type {any[]} */
	const chunks = [];
	for await (const chunk of stream) {
		chunks.push(chunk);
		const d = chunk.choices[0]?.delta?.content;
		if (d) deltas.push(d);
	}
	return { deltas, chunks, text: deltas.join('') };
}

describe('mock upstream over HTTP with the openai SDK', () => {
	it('lists the configured model', async () => {
		const models = [];
		for await (const m of client.models.list()) models.push(m.id);
		expect(models).toContain('mock-small');
		mock.handler.setOptions({ model: 'other-model' });
		const page = await client.models.list();
		expect(page.data.map((m) => m.id)).toContain('other-model');
	});

	it('streams exactly N deltas, a finish chunk and usage', async () => {
		mock.handler.setOptions({ tokens: 37 });
		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('How do I make sourdough bread at home?'),
			stream: true,
			stream_options: { include_usage: true }
		});
		const { deltas, chunks, text } = await collect(stream);
		expect(deltas).toHaveLength(37);
		const finish = chunks.find((c) => c.choices[0]?.finish_reason);
		expect(finish.choices[0].finish_reason).toBe('stop');
		const last = chunks.at(-1);
		expect(last.choices).toEqual([]);
		expect(last.usage.completion_tokens).toBe(37);
		expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + 37);
		expect(chunks[0].choices[0].delta.role).toBe('assistant');
		expect(text).toContain('How do I make sourdough bread at home?');
		expect(text).toMatch(/offline demo model/);
	});

	it('omits the usage chunk without include_usage', async () => {
		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('hi'),
			stream: true
		});
		const { deltas, chunks } = await collect(stream);
		expect(deltas).toHaveLength(20);
		expect(chunks.every((c) => c.usage === undefined)).toBe(true);
	});

	it('answers non-streaming requests with a chat.completion and usage', async () => {
		mock.handler.setOptions({ tokens: 12 });
		const res = await client.chat.completions.create({
			model: 'some-model',
			messages: user('Explain closures in JavaScript')
		});
		expect(res.object).toBe('chat.completion');
		expect(res.model).toBe('some-model');
		expect(res.choices[0].message.role).toBe('assistant');
		expect(res.choices[0].finish_reason).toBe('stop');
		expect(tokenize(/** @type {string} */ (res.choices[0].message.content))).toHaveLength(12);
		expect(res.usage?.completion_tokens).toBe(12);
		expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
	});

	it('is deterministic and writes a code block for long replies', async () => {
		const ask = () =>
			client.chat.completions.create({
				model: 'mock-small',
				messages: user('Show me a plan [[mock:{"tokens":150}]]')
			});
		const [a, b] = await Promise.all([ask(), ask()]);
		expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
		expect(a.choices[0].message.content).toContain('```js');
		expect(a.choices[0].message.content).toContain('- **');
		expect(a.choices[0].message.content).not.toContain('[[mock:');
	});

	it('answers in Chinese for CJK questions', async () => {
		const res = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('如何学习编程？[[mock:{"tokens":60}]]')
		});
		const content = /** @type {string} */ (res.choices[0].message.content);
		expect(content).toContain('离线演示模型');
		expect(content).toContain('如何学习编程');
		expect(res.usage?.completion_tokens).toBe(60);
	});

	it('caps tokens with max_tokens / max_completion_tokens', async () => {
		mock.handler.setOptions({ tokens: 50 });
		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('hello'),
			stream: true,
			max_completion_tokens: 8
		});
		const { deltas, chunks } = await collect(stream);
		expect(deltas).toHaveLength(8);
		expect(chunks.find((c) => c.choices[0]?.finish_reason).choices[0].finish_reason).toBe('length');
		const res = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('hello'),
			max_tokens: 5
		});
		expect(res.usage?.completion_tokens).toBe(5);
		expect(res.choices[0].finish_reason).toBe('length');
	});

	it.each([
		['http403', 403, OpenAI.PermissionDeniedError, 'insufficient_quota'],
		['http429', 429, OpenAI.RateLimitError, 'rate_limit_exceeded'],
		['http500', 500, OpenAI.InternalServerError, 'server_error'],
		['context_length_exceeded', 400, OpenAI.BadRequestError, 'context_length_exceeded']
	])('fault %s → %i', async (fault, status, ErrorClass, code) => {
		mock.handler.setOptions({ fault: /** @type {any} */ (fault) });
		for (const stream of [true, false]) {
			const err = await client.chat.completions.create({ model: 'mock-small', messages: user('hi'), stream }).then(
				() => null,
				(e) => e
			);
			expect(err).toBeInstanceOf(OpenAI.APIError);
			expect(err).toBeInstanceOf(ErrorClass);
			expect(err.status).toBe(status);
			expect(err.code).toBe(code);
			expect(typeof err.error?.message).toBe('string');
		}
	});

	it('fault cut: stream iteration throws after cutAfter deltas', async () => {
		mock.handler.setOptions({ fault: 'cut', cutAfter: 4, tokens: 30 });
		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('tell me a story'),
			stream: true
		});
		/** @type {string[]} */
		const deltas = [];
		let error = null;
		try {
			for await (const chunk of stream) {
				const d = chunk.choices[0]?.delta?.content;
				if (d) deltas.push(d);
			}
		} catch (e) {
			error = e;
		}
		expect(error).toBeTruthy();
		expect(deltas).toHaveLength(4);
	});

	it('fault cut with delays, and non-streaming cut rejects', async () => {
		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('x [[mock:{"fault":"cut","cutAfter":2,"delayMs":5,"ttftMs":5}]]'),
			stream: true
		});
		let n = 0;
		await expect(
			(async () => {
				for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) n++;
			})()
		).rejects.toBeTruthy();
		expect(n).toBe(2);
		await expect(
			client.chat.completions.create({ model: 'mock-small', messages: user('x [[mock:{"fault":"cut"}]]') })
		).rejects.toBeTruthy();
	});

	it('directives override options for one request only', async () => {
		mock.handler.setOptions({ tokens: 10, fault: 'http500' });
		const xss = '<script>alert(1)</script> **bold**';
		const res = await client.chat.completions.create({
			model: 'mock-small',
			messages: user(`please [[mock:${JSON.stringify({ reply: xss, fault: null })}]]`)
		});
		expect(res.choices[0].message.content).toBe(xss);

		const stream = await client.chat.completions.create({
			model: 'mock-small',
			messages: user('go [[mock:{"tokens":3,"fault":null}]]'),
			stream: true
		});
		expect((await collect(stream)).deltas).toHaveLength(3);

		// Options unchanged afterwards.
		await expect(
			client.chat.completions.create({ model: 'mock-small', messages: user('plain') })
		).rejects.toBeInstanceOf(OpenAI.InternalServerError);
		expect(mock.handler.options.tokens).toBe(10);
	});

	it('only the LAST user message directive counts', async () => {
		const res = await client.chat.completions.create({
			model: 'mock-small',
			messages: [
				{ role: 'user', content: 'first [[mock:{"reply":"old"}]]' },
				{ role: 'assistant', content: 'old' },
				{ role: 'user', content: 'second [[mock:{"reply":"new one"}]]' }
			]
		});
		expect(res.choices[0].message.content).toBe('new one');
	});

	it('records requests with messages in order and the authorization header', async () => {
		const messages = [
			{ role: /** @type {const} */ ('system'), content: 'You are helpful.' },
			{ role: /** @type {const} */ ('user'), content: 'one' },
			{ role: /** @type {const} */ ('assistant'), content: 'two' },
			{ role: /** @type {const} */ ('user'), content: 'three' }
		];
		await client.chat.completions.create({ model: 'mock-small', messages });
		const s = await client.chat.completions.create({ model: 'mock-small', messages: user('again'), stream: true });
		await collect(s);
		const reqs = mock.handler.requests;
		expect(reqs).toHaveLength(2);
		expect(reqs[0].body.messages).toEqual(messages);
		expect(reqs[0].body.model).toBe('mock-small');
		expect(reqs[0].headers.authorization).toBe('Bearer test-key');
		expect(reqs[1].body.stream).toBe(true);
		expect(reqs[1].body.messages).toEqual(user('again'));
	});

	it('control endpoints: __options, __requests', async () => {
		const base = mock.url;
		const opts = await fetch(`${base}/__options`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ tokens: 4, ttftMs: 1 })
		}).then((r) => r.json());
		expect(opts).toMatchObject({ tokens: 4, ttftMs: 1, model: 'mock-small' });
		const bad = await fetch(`${base}/__options`, { method: 'POST', body: '{"fault":"nope"}' });
		expect(bad.status).toBe(400);

		const res = await client.chat.completions.create({ model: 'mock-small', messages: user('q') });
		expect(res.usage?.completion_tokens).toBe(4);

		const recorded = await fetch(`${base}/__requests`).then((r) => r.json());
		expect(recorded).toHaveLength(1);
		expect(recorded[0].body.messages).toEqual(user('q'));
		expect((await fetch(`${base}/__requests`, { method: 'DELETE' })).ok).toBe(true);
		expect(await fetch(`${base}/__requests`).then((r) => r.json())).toEqual([]);
		// Prefix-agnostic matching.
		expect((await fetch(`${base.replace(/\/v1$/, '')}/__requests`)).ok).toBe(true);
	});

	it('honours client aborts: server stops the stream', async () => {
		mock.handler.setOptions({ tokens: 500, delayMs: 20 });
		const ac = new AbortController();
		const stream = await client.chat.completions.create(
			{ model: 'mock-small', messages: user('long'), stream: true },
			{ signal: ac.signal }
		);
		let n = 0;
		// The SDK ends the iteration quietly (or throws) on abort — either is fine.
		try {
			for await (const chunk of stream) {
				if (chunk.choices[0]?.delta?.content) n++;
				if (n === 3) ac.abort();
			}
		} catch {
			/* aborted */
		}
		expect(n).toBe(3);
		await expect.poll(() => mock.handler.activeStreams, { timeout: 2000 }).toBe(0);
	});

	it('handles many concurrent streams', async () => {
		mock.handler.setOptions({ tokens: 10, delayMs: 5 });
		const results = await Promise.all(
			Array.from({ length: 200 }, async (_, i) => {
				const s = await client.chat.completions.create({
					model: 'mock-small',
					messages: user(`question ${i}`),
					stream: true
				});
				return (await collect(s)).deltas.length;
			})
		);
		expect(results.every((n) => n === 10)).toBe(true);
		expect(mock.handler.activeStreams).toBe(0);
	});
});

describe('in-process handler as a custom fetch (no network)', () => {
	const handler = createMockHandler({ tokens: 15 });
	const demo = new OpenAI({
		apiKey: 'x',
		baseURL: 'http://demo.local/v1',
		maxRetries: 0,
		fetch: (url, init) => handler.handle(new Request(url, init))
	});

	it('streams and records', async () => {
		const stream = await demo.chat.completions.create({
			model: 'mock-small',
			messages: user('What can you do?'),
			stream: true,
			stream_options: { include_usage: true }
		});
		const { deltas, chunks } = await collect(stream);
		expect(deltas).toHaveLength(15);
		expect(chunks.at(-1).usage.completion_tokens).toBe(15);
		expect(handler.requests.at(-1)?.headers.authorization).toBe('Bearer x');
	});

	it('non-streaming, models, faults and cut', async () => {
		const res = await demo.chat.completions.create({ model: 'mock-small', messages: user('hi') });
		expect(res.usage?.completion_tokens).toBe(15);
		expect((await demo.models.list()).data[0].id).toBe('mock-small');
		await expect(
			demo.chat.completions.create({ model: 'm', messages: user('[[mock:{"fault":"http429"}]]') })
		).rejects.toBeInstanceOf(OpenAI.RateLimitError);

		const stream = await demo.chat.completions.create({
			model: 'm',
			messages: user('[[mock:{"fault":"cut","cutAfter":3}]]'),
			stream: true
		});
		let n = 0;
		await expect(
			(async () => {
				for await (const c of stream) if (c.choices[0]?.delta?.content) n++;
			})()
		).rejects.toBeTruthy();
		expect(n).toBe(3);
	});

	it('ttft and delay are applied', async () => {
		const t0 = Date.now();
		const stream = await demo.chat.completions.create({
			model: 'm',
			messages: user('[[mock:{"ttftMs":60,"delayMs":10,"tokens":5}]]'),
			stream: true
		});
		let first = 0;
		for await (const c of stream) if (c.choices[0]?.delta?.content && !first) first = Date.now() - t0;
		expect(first).toBeGreaterThanOrEqual(50);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
	});

	it('caps recorded requests at 1000', async () => {
		const h = createMockHandler({ tokens: 1 });
		for (let i = 0; i < 1005; i++) {
			const r = await h.handle(
				new Request('http://x/v1/chat/completions', {
					method: 'POST',
					body: JSON.stringify({ model: 'm', messages: user(`m${i}`) })
				})
			);
			await r.text();
		}
		expect(h.requests).toHaveLength(1000);
		expect(h.requests[0].body.messages[0].content).toBe('m5');
	});
});

describe('helpers', () => {
	it('generateReplyTokens returns exactly N tokens', () => {
		for (const n of [0, 1, 7, 20, 64, 200, 1000]) {
			expect(generateReplyTokens('How are you?', n)).toHaveLength(n);
			expect(generateReplyTokens('你好吗？', n)).toHaveLength(n);
		}
	});
	it('parseDirective handles braces and ]] inside strings', () => {
		const { directive, stripped } = parseDirective('a [[mock:{"reply":"x}]] y"}]] b');
		expect(directive).toEqual({ reply: 'x}]] y' });
		expect(stripped).toBe('a  b');
		expect(parseDirective('no [[mock:{bad json}]]').directive).toBeNull();
	});
});

describe('CLI', () => {
	it('prints the listening line and exits on SIGTERM', async () => {
		const script = fileURLToPath(new URL('./server.js', import.meta.url));
		const child = spawn(process.execPath, [script, '--port', '0', '--tokens', '3', '--reply', 'hello cli world']);
		const line = await new Promise((resolve, reject) => {
			let out = '';
			child.stdout.on('data', (d) => {
				out += d;
				if (out.includes('\n')) resolve(out.trim());
			});
			child.on('error', reject);
			child.on('exit', (code) => reject(new Error(`exited ${code}`)));
		});
		expect(line).toMatch(/^mock upstream listening on http:\/\/127\.0\.0\.1:\d+\/v1$/);
		const url = /** @type {string} */ (line).split(' on ')[1];
		const c = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0 });
		const res = await c.chat.completions.create({ model: 'x', messages: user('hi') });
		expect(res.choices[0].message.content).toBe('hello cli world');
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	});
});
