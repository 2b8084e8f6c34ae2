import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { pathological } from '../helpers/pathological';
import { readSse, Visitor } from '../helpers/visitor';

// One visitor's message, however it is shaped, must not stall the server for everyone else:
// token counting is linear and each message is counted once, when it is stored.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

/** Loads `/` for `other` over and over until `work` settles; returns the slowest load in ms. */
async function slowestPageLoadDuring(other: Visitor, work: Promise<unknown>) {
	let done = false;
	void work.finally(() => (done = true));
	let slowest = 0;
	let loads = 0;
	while (!done || loads < 3) {
		const t0 = performance.now();
		const res = await other.fetch('/');
		await res.text();
		slowest = Math.max(slowest, performance.now() - t0);
		loads++;
	}
	await work;
	return { slowest, loads };
}

describe('bounded work per message', () => {
	let mock: Mock;
	let app: RunningApp;
	let sender: Visitor;
	let other: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 5 });
		app = await startApp({
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test-key',
			OPENAI_MODEL: 'mock-small',
			MAX_MESSAGE_CHARS: '32000'
		});
		sender = await Visitor.arrive(app.url);
		other = await Visitor.arrive(app.url);
		// Warm both paths once so the timings below are the steady state, not the first compile.
		await other.html('/');
	}, 60_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	for (const [name, make] of Object.entries(pathological)) {
		// Timing on a shared machine: a real stall fails every try, a neighbour's burst does not.
		it(
			`keeps another visitor's page under 200 ms while 32,000 chars of ${name} are sent`,
			{ retry: 2, timeout: 60_000 },
			async () => {
				const created = await sender.mutate('chats.create', {});
				const chatId = created.body.result.data.id as string;
				const content = make(32_000);
				const sending = sender.send(chatId, { content }).then(async (res) => {
					expect(res.status).toBe(200);
					const events = await readSse(res);
					expect(events.at(-1)?.event).toBe('done');
				});
				const { slowest } = await slowestPageLoadDuring(other, sending);
				expect(slowest).toBeLessThan(200);
				// The count was taken once and stored with the row; it never undercounts the text.
				const [row] = await app.db.query<{ tokens: number; content: string }>(
					"SELECT tokens, content FROM message WHERE chat_id = ? AND role = 'user'",
					[chatId]
				);
				expect(row.content === content, 'stored text differs').toBe(true);
				expect(row.tokens).toBeGreaterThan(0);
			}
		);
	}

	it('keeps the next send fast when the history holds a 1 MB reply', { retry: 2, timeout: 60_000 }, async () => {
		const created = await sender.mutate('chats.create', {});
		const chatId = created.body.result.data.id as string;
		const first = await sender.send(chatId, { content: 'tell me everything' });
		await readSse(first);
		// A runaway upstream reply, stored as it would be after the fact.
		await app.db.query("UPDATE message SET content = ?, tokens = NULL WHERE chat_id = ? AND role = 'assistant'", [
			'z'.repeat(1_000_000),
			chatId
		]);
		const sending = sender.send(chatId, { content: 'and then?' }).then(async (res) => {
			expect(res.status).toBe(200);
			expect((await readSse(res)).at(-1)?.event).toBe('done');
		});
		const { slowest } = await slowestPageLoadDuring(other, sending);
		expect(slowest).toBeLessThan(200);
		// The megabyte reply did not fit beside the default window's budget and was left out.
		const request = mock.handler.requests.filter((r) => r.body.stream === true).at(-1)!;
		expect(JSON.stringify(request.body.messages).length).toBeLessThan(100_000);
	});
});
