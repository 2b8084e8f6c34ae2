import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/mariadb';
import { readSse, textOf, Visitor, type SseEvent } from '../helpers/visitor';

// The database goes away while replies stream, and while the app starts. These suites run
// their own MariaDB server (own port and data directory) and stop and start it for real.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

interface Row {
	id: number;
	content: string;
	status: string;
	error_code: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await probe().catch(() => undefined);
		if (v) return v;
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await sleep(100);
	}
}

/** Reads a reply stream, calling `onDelta` once after the n-th delta event. */
function follow(res: Response, n: number, onDelta: () => void) {
	let deltas = 0;
	return readSse(res, (e: SseEvent) => {
		if (e.event === 'delta' && ++deltas === n) onDelta();
	});
}

const appEnv = (mock: Mock) => ({
	OPENAI_BASE_URL: mock.url,
	OPENAI_API_KEY: 'test-key',
	OPENAI_MODEL: 'mock-small'
});

describe('a database outage during a reply', () => {
	let server: PrivateMariaDb;
	let mock: Mock;
	let app: RunningApp;
	let v: Visitor;

	beforeAll(async () => {
		server = await startPrivateMariaDb();
		mock = await startMockServer({ tokens: 20 });
		app = await startApp(appEnv(mock), await createTestDatabase('oreai_outage', server.url));
		v = await Visitor.arrive(app.url);
	}, 60_000);
	afterAll(async () => {
		await app?.close().catch(() => undefined); // already stopped by a failed test
		await mock?.close();
		await server?.destroy();
	});

	const newChat = async () => (await v.mutate('chats.create', {})).body.result.data.id as string;
	const rowOf = async (id: string) =>
		(await app.db.query<Row>('SELECT id, content, status, error_code FROM message WHERE id = ?', [id]))[0];

	it('keeps every word when the database stops mid-reply and comes back before the end', async () => {
		const chatId = await newChat();
		const res = await v.send(chatId, { content: 'outage [[mock:{"tokens":120,"delayMs":50}]]' });
		expect(res.status).toBe(200);
		let outage: Promise<void> = Promise.resolve();
		const events = await follow(res, 10, () => {
			outage = (async () => {
				await server.stop();
				await sleep(2500);
				await server.start();
			})();
		});
		await outage;
		expect(events.at(-1)!.event).toBe('done');
		const id = events[0].data.assistantMessageId!;
		const row = await waitFor(async () => {
			const r = await rowOf(id);
			return r.status !== 'streaming' && r;
		});
		expect(row.status).toBe('complete');
		expect(row.content).toBe(textOf(events));
		expect(row.content.length).toBeGreaterThan(300);
	}, 60_000);

	it('stores a reply that ended while the database was down, frees the chat, and takes sends again once it is back', async () => {
		const chatId = await newChat();
		const res = await v.send(chatId, { content: 'ends in the dark [[mock:{"tokens":40,"delayMs":50}]]' });
		expect(res.status).toBe(200);
		let stopped: Promise<void> = Promise.resolve();
		const events = await follow(res, 5, () => {
			stopped = server.stop();
		});
		await stopped;
		// The person saw the whole reply end although nothing could be stored.
		expect(events.at(-1)!.event).toBe('done');
		const text = textOf(events);
		expect(text.length).toBeGreaterThan(50);
		await sleep(1000);
		await server.start();

		// Back up: the chat takes a new message at once (no 409), without restarting the app.
		const again = await waitFor(async () => {
			const r = await v.send(chatId, { content: 'and again' });
			return r.status === 200 ? r : (await r.body?.cancel(), false);
		}, 15_000);
		const second = await readSse(again);
		expect(second.at(-1)!.event).toBe('done');

		const row = await rowOf(events[0].data.assistantMessageId!);
		expect(row.status).toBe('complete');
		expect(row.content).toBe(text);
		const streaming = await app.db.query<Row>("SELECT id FROM message WHERE status = 'streaming'");
		expect(streaming).toEqual([]);

		// Clear and delete-all work again too.
		expect((await v.mutate('chats.clear', { id: chatId })).status).toBe(200);
		expect((await v.mutate('chats.deleteAll')).status).toBe(200);
	}, 60_000);

	it('logs the failed writes without the reply text or SQL', () => {
		const logs = app.logs();
		expect(logs).toMatch(/could not store/);
		expect(logs).not.toMatch(/insert into|update `message`|ends in the dark|outage \[\[mock/i);
	});

	it('tells the reader a reply ended within seconds when the database freezes (connections open, no answer), and stores it whole once it wakes', async () => {
		const chatId = await newChat();
		const res = await v.send(chatId, { content: 'frozen [[mock:{"tokens":30,"delayMs":50}]]' });
		expect(res.status).toBe(200);
		let frozenAt = 0;
		try {
			const events = await follow(res, 5, () => {
				server.freeze();
				frozenAt = Date.now();
			});
			// 25 more tokens (1.3 s), then at most the wait for the first write of the end (5 s).
			expect(events.at(-1)!.event).toBe('done');
			expect(Date.now() - frozenAt).toBeLessThan(9000);
			server.thaw();
			const row = await waitFor(async () => {
				const r = await rowOf(events[0].data.assistantMessageId!);
				return r.status !== 'streaming' && r;
			});
			// Stored once, whole: the append held up by the freeze landed before the end, not after it.
			expect(row.status).toBe('complete');
			expect(row.content).toBe(textOf(events));
		} finally {
			server.thaw();
		}
	}, 60_000);
});

describe('a database outage longer than REPLY_STORE_RETRY_SECONDS', () => {
	let server: PrivateMariaDb;
	let mock: Mock;
	let app: RunningApp;

	beforeAll(async () => {
		server = await startPrivateMariaDb();
		mock = await startMockServer({ tokens: 20 });
		app = await startApp(
			{ ...appEnv(mock), REPLY_STORE_RETRY_SECONDS: '2' },
			await createTestDatabase('oreai_long_outage', server.url)
		);
	}, 60_000);
	afterAll(async () => {
		await app?.close().catch(() => undefined); // already stopped by a failed test
		await mock?.close();
		await server?.destroy();
	});

	it('marks the reply interrupted with the text stored before, and the chat takes sends again', async () => {
		const v = await Visitor.arrive(app.url);
		const chatId = (await v.mutate('chats.create', {})).body.result.data.id as string;
		const res = await v.send(chatId, { content: 'long dark [[mock:{"tokens":40,"delayMs":50}]]' });
		let stopped: Promise<void> = Promise.resolve();
		const events = await follow(res, 5, () => {
			stopped = server.stop();
		});
		await stopped;
		expect(events.at(-1)!.event).toBe('done');
		await sleep(4000);
		await server.start();

		const again = await waitFor(async () => {
			const r = await v.send(chatId, { content: 'back again' });
			return r.status === 200 ? r : (await r.body?.cancel(), false);
		}, 15_000);
		expect((await readSse(again)).at(-1)!.event).toBe('done');

		const [row] = await app.db.query<Row>('SELECT id, content, status, error_code FROM message WHERE id = ?', [
			events[0].data.assistantMessageId!
		]);
		expect(row).toMatchObject({ status: 'error', error_code: 'interrupted' });
		expect(textOf(events).startsWith(row.content)).toBe(true);
		expect(app.logs()).toMatch(/gave up storing a reply whole/);
	}, 60_000);
});

describe('starting while the database is down', () => {
	let server: PrivateMariaDb;
	let mock: Mock;
	let app: RunningApp;

	beforeAll(async () => {
		server = await startPrivateMariaDb();
		mock = await startMockServer({ tokens: 5 });
	}, 60_000);
	afterAll(async () => {
		await app?.close().catch(() => undefined); // already stopped by a failed test
		await mock?.close();
		await server?.destroy();
	});

	it('listens and answers 503 until the database is up, then migrates and serves without a restart', async () => {
		const database = await createTestDatabase('oreai_late', server.url);
		await server.stop();
		app = await startApp(appEnv(mock), database, { waitReady: false });
		const early = await fetch(`${app.url}/`);
		expect(early.status).toBe(503);
		expect(early.headers.get('retry-after')).toBeTruthy();
		await sleep(1500);
		expect(app.proc.exitCode).toBeNull();

		await server.start();
		await waitFor(async () => (await fetch(`${app.url}/api/trpc/me.get`)).status === 401, 20_000);
		const v = await Visitor.arrive(app.url);
		const chatId = (await v.mutate('chats.create', {})).body.result.data.id as string;
		const events = await readSse(await v.send(chatId, { content: 'hello after the outage' }));
		expect(events.at(-1)!.event).toBe('done');
		expect(app.logs()).toMatch(/database not ready, retrying/);
	}, 60_000);

	it('stops at once on SIGTERM while the database has never answered', async () => {
		const database = await createTestDatabase('oreai_never', server.url);
		await server.stop();
		const waiting = await startApp(appEnv(mock), database, { waitReady: false });
		expect((await fetch(`${waiting.url}/`)).status).toBe(503);
		const t0 = Date.now();
		// The retries of the start-up must not keep a stopping process alive.
		expect(await waiting.stop()).toBe(0);
		expect(Date.now() - t0).toBeLessThan(5000);
		await server.start();
		await database.drop();
	}, 60_000);
});
