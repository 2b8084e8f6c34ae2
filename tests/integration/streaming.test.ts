import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k_base from 'js-tiktoken/ranks/o200k_base';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, textOf, Visitor, type SseEvent } from '../helpers/visitor';

// Streaming a reply (DESIGN.md, "Streaming a reply"): the happy path, every refusal
// before the stream, regenerate, disconnects, stop, replay, persistence while streaming,
// the context window, sample chats and the quota race. Upstream faults and SIGTERM are
// in streaming-faults.test.ts.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

const MAX_MESSAGE_CHARS = 100_000;
const CONTEXT = 16_000;
const MAX_REPLY = 2_000;

/** Follows one SSE response: events as they come, and waits on them. */
function follow(res: Response) {
	const events: SseEvent[] = [];
	const waiters = new Set<{ pred: (e: SseEvent[]) => boolean; resolve: () => void; reject: (e: Error) => void }>();
	const finished = readSse(res, (e) => {
		events.push(e);
		for (const w of waiters) {
			if (w.pred(events)) {
				waiters.delete(w);
				w.resolve();
			}
		}
	}).finally(() => {
		for (const w of waiters) w.reject(new Error(`stream ended first: ${JSON.stringify(events.map((e) => e.event))}`));
		waiters.clear();
	});
	// Callers await `finished` where it matters; this only keeps an early failure from going unhandled.
	finished.catch(() => undefined);
	const until = (pred: (e: SseEvent[]) => boolean) =>
		new Promise<void>((resolve, reject) => {
			if (pred(events)) resolve();
			else waiters.add({ pred, resolve, reject });
		});
	const deltas = (n: number) => until((ev) => ev.filter((e) => e.event === 'delta').length >= n);
	return { events, finished, until, deltas };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await probe();
		if (v) return v;
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await sleep(50);
	}
}

async function newChat(v: Visitor, input: Record<string, unknown> = {}): Promise<string> {
	const res = await v.mutate('chats.create', input);
	expect(res.status).toBe(200);
	return res.body.result.data.id;
}

async function me(v: Visitor) {
	const res = await v.query('me.get');
	expect(res.status).toBe(200);
	return res.body.result.data as { id: string; quotaUsed: number; quotaLimit: number; quotaLeft: number };
}

interface Row {
	id: number;
	chat_id: string;
	role: 'user' | 'assistant';
	content: string;
	status: string;
	error_code: string | null;
	prompt_tokens: number | null;
	completion_tokens: number | null;
	active: number;
}

const rowsOf = (app: RunningApp, chatId: string) =>
	app.db.query<Row>('SELECT * FROM message WHERE chat_id = ? ORDER BY id', [chatId]);

async function snapshot(app: RunningApp, mock: Mock, userId: string) {
	const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM message WHERE user_id = ?', [userId]);
	const [{ used }] = await app.db.query<{ used: number }>('SELECT quota_used used FROM user WHERE id = ?', [userId]);
	const [{ total }] = await app.db.query<{ total: number }>('SELECT COUNT(*) total FROM message');
	return {
		messages: Number(n),
		quotaUsed: Number(used),
		allMessages: Number(total),
		upstreamCalls: replyCalls(mock).length
	};
}

async function expectRefusal(res: Response, status: number, code: string) {
	expect(res.status).toBe(status);
	expect(res.headers.get('content-type')).toMatch(/application\/json/);
	const body = await res.json();
	expect(body.code).toBe(code);
	expect(typeof body.message).toBe('string');
	expect(body.message.length).toBeGreaterThan(0);
	expect(body.message).not.toMatch(/\n\s+at /);
	return body as { code: string; message: string };
}

/** Reply calls (streamed); the app also makes unstreamed side calls, e.g. naming a new chat. */
const replyCalls = (mock: Mock) => mock.handler.requests.filter((r) => r.body.stream === true);
const lastRequest = (mock: Mock) => replyCalls(mock).at(-1)!;

function expectAlternatingFromUser(messages: { role: string }[]) {
	messages.forEach((m, i) => expect(m.role, `role of turn ${i}`).toBe(i % 2 === 0 ? 'user' : 'assistant'));
}

describe('streaming a reply', () => {
	let mock: Mock;
	let app: RunningApp;
	let alice: Visitor;
	let aliceId: string;
	let bob: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 20 });
		app = await startApp({
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test-key',
			OPENAI_MODEL: 'mock-model-x',
			MODEL_CONTEXT_TOKENS: String(CONTEXT),
			MAX_REPLY_TOKENS: String(MAX_REPLY),
			DEFAULT_QUOTA: '1000',
			MAX_MESSAGE_CHARS: String(MAX_MESSAGE_CHARS)
		});
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
		aliceId = (await me(alice)).id;
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	it('streams start → deltas → done, stores the complete reply with usage, and calls upstream with the chat settings', async () => {
		const chatId = await newChat(alice, { promptSlug: 'writing-story' });
		const chat = (await alice.query('chats.get', { id: chatId })).body.result.data.chat;
		expect(chat.systemPrompt.length).toBeGreaterThan(0);
		const before = await snapshot(app, mock, aliceId);

		const res = await alice.send(chatId, { content: 'Write a tiny story about a lighthouse.' });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
		const events = await readSse(res);

		const kinds = events.map((e) => e.event);
		expect(kinds[0]).toBe('start');
		expect(kinds[kinds.length - 1]).toBe('done');
		expect(kinds.slice(1, -1).every((k) => k === 'delta')).toBe(true);
		// Tokens arriving within 30 ms are sent as one delta; the text is what matters.
		expect(kinds.filter((k) => k === 'delta').length).toBeGreaterThanOrEqual(1);
		const { userMessageId, assistantMessageId } = events[0].data;
		const done = events[events.length - 1].data;
		expect(done.finishReason).toBe('stop');
		expect(done.usage?.completionTokens).toBe(20);
		expect(done.usage?.promptTokens).toBeGreaterThan(0);

		const rows = await rowsOf(app, chatId);
		expect(rows.map((r) => [String(r.id), r.role, r.status])).toEqual([
			[userMessageId, 'user', 'complete'],
			[assistantMessageId, 'assistant', 'complete']
		]);
		expect(rows[0].content).toBe('Write a tiny story about a lighthouse.');
		expect(rows[1].content).toBe(textOf(events));
		expect(rows[1].content.length).toBeGreaterThan(20);
		expect(rows[1].prompt_tokens).toBe(done.usage?.promptTokens);
		expect(rows[1].completion_tokens).toBe(20);

		const after = await snapshot(app, mock, aliceId);
		expect(after.quotaUsed).toBe(before.quotaUsed + 1);
		expect(after.upstreamCalls).toBe(before.upstreamCalls + 1);

		// writing-story: { temperature: 0.9, presence_penalty: 0.6, frequency_penalty: 0.4, max_tokens: 1500 }
		const req = lastRequest(mock);
		expect(req.headers.authorization).toBe('Bearer test-key');
		expect(req.body).toMatchObject({
			model: 'mock-model-x',
			stream: true,
			temperature: 0.9,
			presence_penalty: 0.6,
			frequency_penalty: 0.4
		});
		expect(req.body.max_tokens ?? req.body.max_completion_tokens).toBe(1500);
		expect(req.body.messages).toEqual([
			{ role: 'system', content: chat.systemPrompt },
			{ role: 'user', content: 'Write a tiny story about a lighthouse.' }
		]);
	});

	it('caps the reply budget at MAX_REPLY_TOKENS and uses no system message in a blank chat', async () => {
		const chatId = await newChat(alice);
		const events = await readSse(await alice.send(chatId, { content: 'hello there' }));
		expect(events[events.length - 1].event).toBe('done');
		const req = lastRequest(mock);
		expect(req.body.max_tokens ?? req.body.max_completion_tokens).toBeLessThanOrEqual(MAX_REPLY);
		expect(req.body.messages).toEqual([{ role: 'user', content: 'hello there' }]);
	});

	describe('refusals before the stream store nothing and take no quota', () => {
		let chatId: string;
		beforeAll(async () => {
			chatId = await newChat(alice);
		});

		async function expectNothingChanged(before: Awaited<ReturnType<typeof snapshot>>) {
			const after = await snapshot(app, mock, aliceId);
			expect(after).toEqual(before);
		}

		it('answers 400 to a body that is not JSON', async () => {
			const before = await snapshot(app, mock, aliceId);
			await expectRefusal(await alice.send(chatId, '{"content": "hi"'), 400, 'bad_request');
			await expectRefusal(
				await alice.fetch(`/api/chats/${chatId}/messages`, {
					method: 'POST',
					headers: { 'content-type': 'text/plain' },
					body: 'hello'
				}),
				400,
				'bad_request'
			);
			await expectNothingChanged(before);
		});

		it('answers 400 to empty content, unknown fields, both or neither of content/regenerate', async () => {
			const before = await snapshot(app, mock, aliceId);
			for (const body of [
				{ content: '' },
				{ content: '  \n\t ' },
				{ content: 'hi', extra: 1 },
				{ content: 'hi', regenerate: true },
				{},
				{ regenerate: false },
				{ content: 42 },
				[],
				null
			]) {
				await expectRefusal(await alice.send(chatId, JSON.stringify(body)), 400, 'bad_request');
			}
			await expectNothingChanged(before);
		});

		it('answers 400 to regenerate in a chat with nothing to regenerate', async () => {
			const before = await snapshot(app, mock, aliceId);
			await expectRefusal(await alice.send(chatId, { regenerate: true }), 400, 'bad_request');
			await expectNothingChanged(before);
		});

		it('answers 401 without a session cookie and does not register anyone', async () => {
			const [{ users }] = await app.db.query<{ users: number }>('SELECT COUNT(*) users FROM user');
			const before = await snapshot(app, mock, aliceId);
			const res = await fetch(`${app.url}/api/chats/${chatId}/messages`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ content: 'hi' })
			});
			await expectRefusal(res, 401, 'unauthorized');
			expect(res.headers.getSetCookie().some((c) => c.startsWith('oreai_session='))).toBe(false);
			await expectNothingChanged(before);
			const [{ users: after }] = await app.db.query<{ users: number }>('SELECT COUNT(*) users FROM user');
			expect(Number(after)).toBe(Number(users));
		});

		it('answers 404 to an unknown chat id and to a malformed one', async () => {
			const before = await snapshot(app, mock, aliceId);
			await expectRefusal(await alice.send('zzzzzzzzzzzzzzzz', { content: 'hi' }), 404, 'not_found');
			await expectRefusal(await alice.send('NOT_A.VALID-ID', { content: 'hi' }), 404, 'not_found');
			await expectRefusal(await alice.send('a'.repeat(40), { content: 'hi' }), 404, 'not_found');
			await expectRefusal(await alice.send('%E2%9C%93', { content: 'hi' }), 404, 'not_found');
			await expectNothingChanged(before);
		});

		it("answers 404 to another user's chat and stores nothing in it", async () => {
			const bobId = (await me(bob)).id;
			const bobBefore = await snapshot(app, mock, bobId);
			const before = await snapshot(app, mock, aliceId);
			const aliceChatRows = await rowsOf(app, chatId);
			await expectRefusal(await bob.send(chatId, { content: 'let me in' }), 404, 'not_found');
			await expectRefusal(await bob.send(chatId, { regenerate: true }), 404, 'not_found');
			expect(await rowsOf(app, chatId)).toEqual(aliceChatRows);
			await expectNothingChanged(before);
			expect(await snapshot(app, mock, bobId)).toEqual(bobBefore);
		});

		it('answers 409 to a second send in the same chat while the first reply streams', async () => {
			const busyChat = await newChat(alice);
			const first = follow(await alice.send(busyChat, { content: 'slow one [[mock:{"tokens":30,"delayMs":40}]]' }));
			await first.deltas(1);
			const before = await snapshot(app, mock, aliceId);
			await expectRefusal(await alice.send(busyChat, { content: 'impatient' }), 409, 'chat_busy');
			await expectRefusal(await alice.send(busyChat, { regenerate: true }), 409, 'chat_busy');
			await expectNothingChanged(before);
			await first.finished;
			expect(first.events[first.events.length - 1].event).toBe('done');
			// Once the reply is done the chat takes messages again.
			const next = await readSse(await alice.send(busyChat, { content: 'now?' }));
			expect(next[next.length - 1].event).toBe('done');
			expect((await rowsOf(app, busyChat)).map((r) => r.status)).toEqual([
				'complete',
				'complete',
				'complete',
				'complete'
			]);
		});

		it('answers 413 to content longer than MAX_MESSAGE_CHARS', async () => {
			const before = await snapshot(app, mock, aliceId);
			await expectRefusal(
				await alice.send(chatId, { content: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }),
				413,
				'message_too_long'
			);
			await expectNothingChanged(before);
		});

		it('answers 413 with a readable message to a message that alone exceeds the token window', async () => {
			// Under MAX_MESSAGE_CHARS but far more tokens than CONTEXT - MAX_REPLY.
			const words: string[] = [];
			for (let i = 0; words.join(' ').length < MAX_MESSAGE_CHARS - 2000; i++)
				words.push(`q${(i * 7919).toString(36)}z${i % 97}`);
			const content = words.join(' ');
			expect(content.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
			const before = await snapshot(app, mock, aliceId);
			const body = await expectRefusal(await alice.send(chatId, { content }), 413, 'message_too_long');
			expect(body.message).toMatch(/[a-z]{3,} [a-z]{2,}/i); // a sentence, not a code
			await expectNothingChanged(before);
		});

		it('answers 403 quota_exhausted at zero quota without calling upstream', async () => {
			const carol = await Visitor.arrive(app.url);
			const carolId = (await me(carol)).id;
			const carolChat = await newChat(carol);
			await app.db.query('UPDATE user SET quota_used = quota_limit WHERE id = ?', [carolId]);
			const before = await snapshot(app, mock, carolId);
			await expectRefusal(await carol.send(carolChat, { content: 'one more?' }), 403, 'quota_exhausted');
			expect(await snapshot(app, mock, carolId)).toEqual(before);
			const m = await me(carol);
			expect(m.quotaLeft).toBe(0);
		});
	});

	it('regenerate shows a new last reply, keeps the old one as an earlier version, and sends history ending with the last user message', async () => {
		const chatId = await newChat(alice);
		await readSse(await alice.send(chatId, { content: 'first question' }));
		const second = await readSse(await alice.send(chatId, { content: 'second question' }));
		const oldReplyId = second[0].data.assistantMessageId;
		const rowsBefore = await rowsOf(app, chatId);
		expect(rowsBefore).toHaveLength(4);
		const before = await snapshot(app, mock, aliceId);

		const events = await readSse(await alice.send(chatId, { regenerate: true }));
		expect(events[0].event).toBe('start');
		expect(events[0].data.userMessageId).toBeNull();
		const newReplyId = events[0].data.assistantMessageId;
		expect(newReplyId).not.toBe(oldReplyId);
		expect(events[events.length - 1].event).toBe('done');

		const rows = (await rowsOf(app, chatId)).filter((r) => r.active);
		expect(rows.map((r) => String(r.id))).toEqual([
			String(rowsBefore[0].id),
			String(rowsBefore[1].id),
			String(rowsBefore[2].id),
			newReplyId
		]);
		const old = (await rowsOf(app, chatId)).find((r) => String(r.id) === oldReplyId)!;
		expect(old).toMatchObject({ active: 0, content: rowsBefore[3].content });
		expect(rows[3]).toMatchObject({ role: 'assistant', status: 'complete', content: textOf(events) });
		expect(rows[3].completion_tokens).toBe(20);

		const after = await snapshot(app, mock, aliceId);
		expect(after.quotaUsed).toBe(before.quotaUsed + 1);
		expect(after.messages).toBe(before.messages + 1); // the earlier reply is kept
		const sent = lastRequest(mock).body.messages;
		expect(sent).toEqual([
			{ role: 'user', content: 'first question' },
			{ role: 'assistant', content: rowsBefore[1].content },
			{ role: 'user', content: 'second question' }
		]);
	});

	it('finishes and stores the whole reply when the client disconnects mid-stream', async () => {
		const chatId = await newChat(alice);
		const reply = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ') + '.';
		const ac = new AbortController();
		const res = await alice.send(
			chatId,
			{ content: `tell me [[mock:${JSON.stringify({ reply, delayMs: 40 })}]]` },
			{ signal: ac.signal }
		);
		expect(res.status).toBe(200);
		const seen: SseEvent[] = [];
		await readSse(res, (e) => {
			seen.push(e);
			if (e.event === 'delta') ac.abort();
		}).catch(() => undefined); // the abort above rejects the read on purpose
		expect(seen.map((e) => e.event)).toEqual(['start', 'delta']);
		const id = seen[0].data.assistantMessageId;

		const row = await waitFor(async () => {
			const [r] = await app.db.query<Row>('SELECT * FROM message WHERE id = ?', [id]);
			return r.status !== 'streaming' && r;
		});
		expect(row.status).toBe('complete');
		expect(row.content).toBe(reply);
		expect(row.completion_tokens).toBe(30);
	});

	it('stop keeps the partial text with status stopped and ends the stream; stopping another user’s reply is 404', async () => {
		const chatId = await newChat(alice);
		const live = follow(await alice.send(chatId, { content: 'long one [[mock:{"tokens":200,"delayMs":30}]]' }));
		await live.deltas(3);
		const id = live.events[0].data.assistantMessageId;

		// Bob can neither stop it nor learn that it exists.
		await expectRefusal(
			await bob.fetch(`/api/chats/${chatId}/messages/${id}/stop`, { method: 'POST' }),
			404,
			'not_found'
		);
		await expectRefusal(
			await alice.fetch(`/api/chats/${chatId}/messages/999999999/stop`, { method: 'POST' }),
			404,
			'not_found'
		);
		await expectRefusal(
			await alice.fetch(`/api/chats/${chatId}/messages/abc/stop`, { method: 'POST' }),
			404,
			'not_found'
		);
		const [still] = await app.db.query<Row>('SELECT * FROM message WHERE id = ?', [id]);
		expect(still.status).toBe('streaming');

		const t0 = Date.now();
		const stop = await alice.fetch(`/api/chats/${chatId}/messages/${id}/stop`, { method: 'POST' });
		expect(stop.status).toBe(200);
		expect(await stop.json()).toMatchObject({ status: 'stopped' });
		await live.finished;
		expect(Date.now() - t0).toBeLessThan(3000);

		const last = live.events[live.events.length - 1];
		expect(['done', 'error']).toContain(last.event);
		expect(live.events.filter((e) => e.event === 'delta').length).toBeLessThan(200);
		const [row] = await app.db.query<Row>('SELECT * FROM message WHERE id = ?', [id]);
		expect(row.status).toBe('stopped');
		expect(row.content.length).toBeGreaterThan(0);
		expect(row.content).toBe(textOf(live.events));

		// Stopping a finished reply changes nothing.
		const again = await alice.fetch(`/api/chats/${chatId}/messages/${id}/stop`, { method: 'POST' });
		expect(again.status).toBe(200);
		expect((await rowsOf(app, chatId))[1].status).toBe('stopped');
		// The chat is free again.
		const next = await readSse(await alice.send(chatId, { content: 'continue' }));
		expect(next[next.length - 1].event).toBe('done');
	});

	it('replays a reply in progress to a second client from the first word, then follows it to done', async () => {
		const chatId = await newChat(alice);
		const first = follow(await alice.send(chatId, { content: 'replay me [[mock:{"tokens":40,"delayMs":30}]]' }));
		await first.deltas(5);
		const id = first.events[0].data.assistantMessageId;

		const res = await alice.fetch(`/api/chats/${chatId}/messages/${id}/stream`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
		const replay = await readSse(res);
		await first.finished;

		expect(replay.map((e) => e.event).filter((k) => k !== 'delta')).toEqual(['done']);
		expect(replay[replay.length - 1].event).toBe('done');
		expect(textOf(replay)).toBe(textOf(first.events));
		const [row] = await app.db.query<Row>('SELECT * FROM message WHERE id = ?', [id]);
		expect(row.status).toBe('complete');
		expect(row.content).toBe(textOf(replay));
		expect(row.completion_tokens).toBe(40);
	});

	it('replays a finished reply as its text and done; another user’s message is 404', async () => {
		const chatId = await newChat(alice);
		const events = await readSse(await alice.send(chatId, { content: 'finished reply' }));
		const { userMessageId, assistantMessageId: id } = events[0].data;

		const replay = await readSse(await alice.fetch(`/api/chats/${chatId}/messages/${id}/stream`));
		expect(replay.map((e) => e.event)).toEqual([...replay.slice(0, -1).map(() => 'delta'), 'done']);
		expect(textOf(replay)).toBe(textOf(events));

		await expectRefusal(await bob.fetch(`/api/chats/${chatId}/messages/${id}/stream`), 404, 'not_found');
		const bobChat = await newChat(bob);
		await expectRefusal(await bob.fetch(`/api/chats/${bobChat}/messages/${id}/stream`), 404, 'not_found');
		await expectRefusal(await alice.fetch(`/api/chats/${chatId}/messages/999999999/stream`), 404, 'not_found');
		await expectRefusal(await alice.fetch(`/api/chats/${chatId}/messages/${userMessageId}/stream`), 404, 'not_found');
		const anon = await fetch(`${app.url}/api/chats/${chatId}/messages/${id}/stream`);
		await expectRefusal(anon, 401, 'unauthorized');
	});

	it('persists the text at least once a second while streaming', async () => {
		const chatId = await newChat(alice);
		const live = follow(await alice.send(chatId, { content: 'slow [[mock:{"tokens":60,"delayMs":50}]]' }));
		await live.until((ev) => ev.length >= 1);
		const id = live.events[0].data.assistantMessageId;

		const seen: { at: number; len: number }[] = [];
		let firstDeltaAt = 0;
		live.deltas(1).then(() => (firstDeltaAt = Date.now()));
		let ended = false;
		live.finished.finally(() => (ended = true));
		while (!ended) {
			const [r] = await app.db.query<Row>('SELECT content, status FROM message WHERE id = ?', [id]);
			if (r.status === 'streaming') seen.push({ at: Date.now(), len: r.content.length });
			await sleep(100);
		}
		const lengths = [...new Set(seen.map((s) => s.len).filter((n) => n > 0))];
		expect(lengths.length, `content lengths seen while streaming: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
		expect([...lengths].sort((a, b) => a - b)).toEqual(lengths); // only grows
		const firstStored = seen.find((s) => s.len > 0)!;
		expect(firstStored.at - firstDeltaAt).toBeLessThan(1600);
		const [row] = await app.db.query<Row>('SELECT * FROM message WHERE id = ?', [id]);
		expect(row.status).toBe('complete');
		expect(row.content).toBe(textOf(live.events));
	});

	it('sample chats accept a follow-up with their whole history sent upstream in order', async () => {
		const dave = await Visitor.arrive(app.url, { 'accept-language': 'en' });
		const ids = await dave.chatIds();
		expect(ids.length).toBeGreaterThanOrEqual(3);
		for (const chatId of ids) {
			const got = (await dave.query('chats.get', { id: chatId, limit: 200 })).body.result.data;
			const history = got.messages.map((m: { role: string; content: string }) => ({
				role: m.role,
				content: m.content
			}));
			expect(history.length).toBeGreaterThanOrEqual(2);
			const question = `A follow-up question about ${got.chat.title}`;
			const events = await readSse(await dave.send(chatId, { content: question }));
			expect(events[events.length - 1].event).toBe('done');

			const sent = lastRequest(mock).body.messages as { role: string; content: string }[];
			const system = got.chat.systemPrompt ? [{ role: 'system', content: got.chat.systemPrompt }] : [];
			expect(sent).toEqual([...system, ...history, { role: 'user', content: question }]);
			expectAlternatingFromUser(sent.slice(system.length));
			expect(sent.slice(system.length).every((m) => m.role === 'user' || m.role === 'assistant')).toBe(true);

			const rows = await rowsOf(app, chatId);
			expect(rows[rows.length - 1]).toMatchObject({ role: 'assistant', status: 'complete', content: textOf(events) });
		}
	});
});

describe('context window and quota', () => {
	let mock: Mock;
	let app: RunningApp;
	const encoder = new Tiktoken(o200k_base);

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 20 });
		app = await startApp({
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test-key',
			OPENAI_MODEL: 'mock-small',
			MODEL_CONTEXT_TOKENS: '2000',
			MAX_REPLY_TOKENS: '500',
			DEFAULT_QUOTA: '5'
		});
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	it('answers in a 300-turn chat by sending the system prompt and only the newest turns that fit', async () => {
		const v = await Visitor.arrive(app.url, { 'accept-language': 'en' });
		const userId = (await me(v)).id;
		const chatId = await newChat(v, { promptSlug: 'writing-polish' });
		const systemPrompt = (await v.query('chats.get', { id: chatId })).body.result.data.chat.systemPrompt;
		expect(systemPrompt.length).toBeGreaterThan(0);
		const filler =
			'This is a deliberately long turn so that the whole conversation is far larger than the model window; ' +
			'it talks about lighthouses, tides, harbours, ships and the people who keep the lamps burning at night. ';
		const turns = Array.from({ length: 300 }, (_, i) => ({
			role: i % 2 === 0 ? 'user' : 'assistant',
			content: `Turn ${i}: ${filler.repeat(2)}`
		}));
		await app.db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [
			turns.map((t) => [chatId, userId, t.role, t.content, 'complete'])
		]);

		const question = 'So, after all that, what is the one thing to remember?';
		const events = await readSse(await v.send(chatId, { content: question }));
		expect(events[0].event).toBe('start');
		expect(events[events.length - 1].event).toBe('done');

		const sent = lastRequest(mock).body.messages as { role: string; content: string }[];
		expect(sent[0]).toEqual({ role: 'system', content: systemPrompt });
		const rest = sent.slice(1);
		expect(rest[rest.length - 1]).toEqual({ role: 'user', content: question });
		expectAlternatingFromUser(rest);
		const kept = rest.slice(0, -1);
		expect(kept.length).toBeGreaterThan(0);
		expect(kept.length).toBeLessThan(300);
		// The newest turns, contiguous, ending with the last stored one.
		const firstKept = Number(/^Turn (\d+):/.exec(kept[0].content)![1]);
		expect(firstKept).toBeGreaterThan(0);
		expect(kept).toEqual(turns.slice(firstKept));
		const tokens = sent.reduce((n, m) => n + encoder.encode(m.content).length, 0);
		expect(tokens).toBeLessThanOrEqual(2000 - 500);
		expect(lastRequest(mock).body.max_tokens ?? lastRequest(mock).body.max_completion_tokens).toBeLessThanOrEqual(500);

		const rows = await rowsOf(app, chatId);
		expect(rows).toHaveLength(302);
		expect(rows[301]).toMatchObject({ role: 'assistant', status: 'complete', content: textOf(events) });
	});

	it('lets exactly DEFAULT_QUOTA of 20 simultaneous sends reach the upstream; the rest get 403 quota_exhausted', async () => {
		const v = await Visitor.arrive(app.url);
		const userId = (await me(v)).id;
		const chatIds: string[] = [];
		for (let i = 0; i < 20; i++) chatIds.push(await newChat(v));
		const calls = replyCalls(mock).length;

		const responses = await Promise.all(chatIds.map((id, i) => v.send(id, { content: `race ${i}` })));
		const outcomes = await Promise.all(
			responses.map(async (res) => {
				if (res.status === 200) {
					const events = await readSse(res);
					return { status: 200, last: events[events.length - 1].event };
				}
				return { status: res.status, code: (await res.json()).code };
			})
		);
		const ok = outcomes.filter((o) => o.status === 200);
		const refused = outcomes.filter((o) => o.status !== 200);
		expect(ok).toHaveLength(5);
		expect(ok.every((o) => o.last === 'done')).toBe(true);
		expect(refused).toHaveLength(15);
		expect(refused.every((o) => o.status === 403 && o.code === 'quota_exhausted')).toBe(true);
		expect(replyCalls(mock).length - calls).toBe(5);

		const m = await me(v);
		expect(m.quotaUsed).toBe(5);
		expect(m.quotaLeft).toBe(0);
		const byStatus = await app.db.query<{ role: string; status: string; n: number }>(
			'SELECT role, status, COUNT(*) n FROM message WHERE user_id = ? AND chat_id IN (?) GROUP BY role, status ORDER BY role',
			[userId, chatIds]
		);
		expect(byStatus.map((r) => `${r.role} ${r.status} ${r.n}`).sort()).toEqual([
			'assistant complete 5',
			'user complete 5'
		]);
	});
});
