import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, textOf, Visitor, type SseEvent } from '../helpers/visitor';

// Streaming a reply when things go wrong: the upstream cuts the stream or refuses the
// call, and the server is told to stop (SIGTERM) while a reply is being generated.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

interface Row {
	id: number;
	role: 'user' | 'assistant';
	content: string;
	status: string;
	error_code: string | null;
}

const appEnv = (mock: Mock) => ({
	OPENAI_BASE_URL: mock.url,
	OPENAI_API_KEY: 'test-key',
	OPENAI_MODEL: 'mock-small',
	MODEL_CONTEXT_TOKENS: '16000',
	MAX_REPLY_TOKENS: '2000'
});

const replyCalls = (mock: Mock) => mock.handler.requests.filter((r) => r.body.stream === true);

async function newChat(v: Visitor): Promise<string> {
	const res = await v.mutate('chats.create', {});
	expect(res.status).toBe(200);
	return res.body.result.data.id;
}

const quotaUsed = async (v: Visitor) => (await v.query('me.get')).body.result.data.quotaUsed as number;
const rowsOf = (app: RunningApp, chatId: string) =>
	app.db.query<Row>('SELECT id, role, content, status, error_code FROM message WHERE chat_id = ? ORDER BY id', [
		chatId
	]);

/** An error event names a code the page can explain; never upstream text or a stack. */
function expectCleanError(e: SseEvent, code: string) {
	expect(e.event).toBe('error');
	expect(e.data.code).toBe(code);
	expect(typeof e.data.message).toBe('string');
	expect(e.data.message).not.toMatch(/mock fault|mock upstream|\n\s+at |Error:|insufficient_quota|rate_limit_exceeded/);
}

describe('upstream faults while streaming', () => {
	let mock: Mock;
	let app: RunningApp;
	let v: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 20 });
		app = await startApp(appEnv(mock));
		v = await Visitor.arrive(app.url);
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	it('keeps the partial text with status error and a network code when the upstream cuts the stream', async () => {
		const chatId = await newChat(v);
		const res = await v.send(chatId, {
			content: 'cut me [[mock:{"tokens":50,"delayMs":10,"fault":"cut","cutAfter":4}]]'
		});
		expect(res.status).toBe(200);
		const events = await readSse(res);
		const kinds = events.map((e) => e.event);
		expect(kinds[0]).toBe('start');
		// Four tokens arrive before the cut; tokens within 30 ms share one delta event.
		expect(kinds.slice(1, -1).length).toBeGreaterThanOrEqual(1);
		expect(kinds.slice(1, -1).every((k) => k === 'delta')).toBe(true);
		expectCleanError(events[events.length - 1], 'network');

		const rows = await rowsOf(app, chatId);
		expect(rows.map((r) => [r.role, r.status, r.error_code])).toEqual([
			['user', 'complete', null],
			['assistant', 'error', 'network']
		]);
		expect(rows[1].content).toBe(textOf(events));
		expect(rows[1].content.length).toBeGreaterThan(0);

		// Replaying it tells the same story, down to the error's message; the chat is not left busy.
		const replay = await readSse(await v.fetch(`/api/chats/${chatId}/messages/${rows[1].id}/stream`));
		expect(textOf(replay)).toBe(rows[1].content);
		expectCleanError(replay[replay.length - 1], 'network');
		expect(replay[replay.length - 1]).toEqual(events[events.length - 1]);
		const next = await readSse(await v.send(chatId, { content: 'again' }));
		expect(next[next.length - 1].event).toBe('done');
	});

	for (const [fault, code] of [
		['http403', 'upstream_quota'],
		['http429', 'upstream_rate_limit'],
		['http500', 'upstream_error'],
		['context_length_exceeded', 'context_too_long']
	] as const) {
		it(`explains an upstream ${fault} before the stream as error code ${code} and stores status error`, async () => {
			const chatId = await newChat(v);
			const used = await quotaUsed(v);
			const calls = replyCalls(mock).length;
			const res = await v.send(chatId, { content: `fail please [[mock:{"fault":"${fault}"}]]` });
			expect(res.status).toBe(200);
			const events = await readSse(res);
			expect(events.map((e) => e.event)).toEqual(['start', 'error']);
			expectCleanError(events[1], code);
			expect(events[1].data.code).not.toBe('quota_exhausted');

			const rows = await rowsOf(app, chatId);
			expect(rows.map((r) => [r.role, r.status, r.error_code, r.content])).toEqual([
				['user', 'complete', null, `fail please [[mock:{"fault":"${fault}"}]]`],
				['assistant', 'error', code, '']
			]);
			expect(String(rows[1].id)).toBe(events[0].data.assistantMessageId);
			// A call was made, so it counts once (even if the SDK retried it).
			expect(await quotaUsed(v)).toBe(used + 1);
			expect(replyCalls(mock).length).toBeGreaterThan(calls);
		}, 15_000);
	}
});

describe('shutting down during a reply', () => {
	it('exits 0 within a few seconds on SIGTERM and keeps the partial reply as stopped', async () => {
		const mock = await startMockServer({ tokens: 20 });
		const app = await startApp(appEnv(mock));
		try {
			const v = await Visitor.arrive(app.url);
			const chatId = await newChat(v);
			const res = await v.send(chatId, { content: 'long [[mock:{"tokens":400,"delayMs":40}]]' });
			expect(res.status).toBe(200);
			const events: SseEvent[] = [];
			let reached!: () => void;
			const fiveDeltas = new Promise<void>((r) => (reached = r));
			const reading = readSse(res, (e) => {
				events.push(e);
				if (events.filter((x) => x.event === 'delta').length === 5) reached();
			}).catch(() => undefined); // the assertions below read `events`, not how the body ended
			await fiveDeltas;
			const textAtStop = textOf(events);

			const t0 = Date.now();
			const code = await app.stop();
			const took = Date.now() - t0;
			expect(code).toBe(0);
			// The replies stop at once; what remains is adapter-node waiting for clients to
			// drop their idle keep-alive sockets (about 3 s for Node's fetch).
			expect(took).toBeLessThan(6000);
			await reading;
			expect(events.at(-1)?.event).toBe('done');
			expect(events.at(-1)?.data.finishReason).toBe('stopped');

			const rows = await rowsOf(app, chatId);
			expect(rows).toHaveLength(2);
			expect(rows[1].status).toBe('stopped');
			expect(rows[1].content.startsWith(textAtStop)).toBe(true);
			expect(rows[1].content.length).toBeGreaterThan(0);
			expect(rows[1].content.length).toBeLessThan(textAtStop.length + 2000);
		} finally {
			await app.close();
			await mock.close();
		}
	}, 30_000);
});
