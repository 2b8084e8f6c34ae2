import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, textOf, Visitor } from '../helpers/visitor';

// A silent upstream: it accepts the call (headers sent) and then says nothing, before the
// first token or in the middle of a reply. The reply ends with upstream_timeout and frees the chat.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

interface Row {
	content: string;
	status: string;
	error_code: string | null;
}

describe('upstream timeouts', () => {
	let mock: Mock;
	let app: RunningApp;
	let v: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 10 });
		app = await startApp({
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test-key',
			OPENAI_MODEL: 'mock-small',
			UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1500',
			UPSTREAM_IDLE_TIMEOUT_MS: '800'
		});
		v = await Visitor.arrive(app.url);
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	const newChat = async () => (await v.mutate('chats.create', {})).body.result.data.id as string;
	const rowOf = async (id: string) =>
		(await app.db.query<Row>('SELECT content, status, error_code FROM message WHERE id = ?', [id]))[0];

	it('ends a reply whose first token never comes with upstream_timeout, and frees the chat', async () => {
		const chatId = await newChat();
		const started = Date.now();
		const events = await readSse(await v.send(chatId, { content: 'silence [[mock:{"ttftMs":60000}]]' }));
		const took = Date.now() - started;
		const end = events.at(-1)!;
		expect(end.event).toBe('error');
		expect(end.data.code).toBe('upstream_timeout');
		expect(end.data.message).toMatch(/stopped answering/);
		expect(took).toBeGreaterThanOrEqual(1400);
		expect(took).toBeLessThan(15_000);
		const row = await rowOf(events[0].data.assistantMessageId!);
		expect(row).toMatchObject({ status: 'error', error_code: 'upstream_timeout', content: '' });

		// The chat is free: the next message is taken (the mock stays silent for it, as its
		// directive sits in the same, joined user turn) and ends the same way.
		const res = await v.send(chatId, { content: 'are you there?' });
		expect(res.status).toBe(200);
		expect((await readSse(res)).at(-1)!.data.code).toBe('upstream_timeout');
	});

	it('keeps the text that came before an upstream goes silent mid-reply', async () => {
		const chatId = await newChat();
		const events = await readSse(await v.send(chatId, { content: 'trail off [[mock:{"tokens":10,"delayMs":60000}]]' }));
		expect(events.at(-1)!.data.code).toBe('upstream_timeout');
		const text = textOf(events);
		expect(text.length).toBeGreaterThan(0);
		const row = await rowOf(events[0].data.assistantMessageId!);
		expect(row).toMatchObject({ status: 'error', error_code: 'upstream_timeout', content: text });
	});

	it('lets a slow but steady upstream finish: every token re-arms the idle timer', async () => {
		const chatId = await newChat();
		// 8 tokens 400 ms apart: 2.8 s in all, longer than both timeouts, never silent for 800 ms.
		const events = await readSse(await v.send(chatId, { content: 'steady [[mock:{"tokens":8,"delayMs":400}]]' }));
		expect(events.at(-1)!.event).toBe('done');
		const row = await rowOf(events[0].data.assistantMessageId!);
		expect(row.status).toBe('complete');
	});

	it('replays a timed-out reply with the same error code and message as live', async () => {
		const chatId = await newChat();
		const live = await readSse(await v.send(chatId, { content: 'silence again [[mock:{"ttftMs":60000}]]' }));
		const id = live[0].data.assistantMessageId!;
		const replay = await readSse(await v.fetch(`/api/chats/${chatId}/messages/${id}/stream`));
		expect(replay.at(-1)).toEqual(live.at(-1));
	});
});
