import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startMockServer } from '../../tools/mock-upstream/server.js';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/mariadb';
import { readSse, textOf, Visitor } from '../helpers/visitor';

// Live replies are stored together: one append statement per tick carries the new text of
// every reply in flight, instead of one UPDATE per reply per second. Counted from the
// server's own query log, on a MariaDB server of the suite's own.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

const REPLIES = 20;

describe('batched writes of live replies', () => {
	let server: PrivateMariaDb;
	let mock: Mock;
	let app: RunningApp;

	beforeAll(async () => {
		server = await startPrivateMariaDb();
		mock = await startMockServer({ tokens: 60, delayMs: 50 });
		app = await startApp(
			{ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test-key', OPENAI_MODEL: 'mock-small', TITLE_MODE: 'words' },
			await createTestDatabase('oreai_batch', server.url)
		);
	}, 60_000);
	afterAll(async () => {
		await app?.close().catch(() => undefined); // already stopped by a failed test
		await mock?.close();
		await server?.destroy();
	});

	it(`stores ${REPLIES} simultaneous replies with one append per tick, each reply at least once a second`, async () => {
		const v = await Visitor.arrive(app.url);
		const chats: string[] = [];
		for (let i = 0; i < REPLIES; i++) chats.push((await v.mutate('chats.create', {})).body.result.data.id);

		const admin = await mysql.createConnection(server.url);
		await admin.query("SET GLOBAL log_output = 'TABLE'");
		await admin.query('TRUNCATE mysql.general_log');
		await admin.query('SET GLOBAL general_log = 1');
		const started = Date.now();
		const streams = await Promise.all(chats.map((id, i) => v.send(id, { content: `reply number ${i}` })));
		const events = await Promise.all(streams.map((r) => readSse(r)));
		const seconds = (Date.now() - started) / 1000;
		await admin.query('SET GLOBAL general_log = 0');
		const [rows] = (await admin.query(
			"SELECT CONVERT(argument USING utf8mb4) AS q FROM mysql.general_log WHERE command_type IN ('Query', 'Execute')"
		)) as unknown as [{ q: string }[]];
		await admin.end();

		for (const e of events) expect(e.at(-1)!.event).toBe('done');
		const appends = rows.filter((r) => /^update `message` set `content` = CONCAT/i.test(r.q));
		const perStatement = appends.map((r) => r.q.match(/\bWHEN\b/g)?.length ?? 0);
		console.log(
			`batched writes: ${REPLIES} replies over ${seconds.toFixed(1)} s, ${appends.length} append statements carrying ${perStatement.join(', ')} replies`
		);
		// About one statement per second for all of them, not REPLIES per second.
		expect(appends.length).toBeGreaterThanOrEqual(1);
		expect(appends.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
		expect(Math.max(...perStatement)).toBeGreaterThan(1);

		// And nothing is lost: every reply is stored whole.
		for (const e of events) {
			const id = e[0].data.assistantMessageId!;
			const [row] = await app.db.query<{ content: string; status: string }>(
				'SELECT content, status FROM message WHERE id = ?',
				[id]
			);
			expect(row).toEqual({ content: textOf(e), status: 'complete' });
		}
	}, 60_000);

	it(`stores the ends of ${REPLIES} replies that end at the same moment in fewer trips than replies, each one whole`, async () => {
		const v = await Visitor.arrive(app.url);
		const chats: string[] = [];
		for (let i = 0; i < REPLIES; i++) chats.push((await v.mutate('chats.create', {})).body.result.data.id);
		// Every reply streams its tokens, then waits at the mock until all of them have: they end together.
		let held = 0;
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		let allHeld!: () => void;
		const everyoneWaiting = new Promise<void>((r) => (allHeld = r));
		mock.handler.setOptions({
			tokens: 8,
			delayMs: 0,
			holdEnd: () => {
				if (++held === REPLIES) allHeld();
				return gate;
			}
		});

		const admin = await mysql.createConnection(server.url);
		await admin.query('TRUNCATE mysql.general_log');
		await admin.query('SET GLOBAL general_log = 1');
		const streams = await Promise.all(chats.map((id, i) => v.send(id, { content: `ending number ${i}` })));
		const reading = Promise.all(streams.map((r) => readSse(r)));
		await everyoneWaiting;
		release();
		const events = await reading;
		await admin.query('SET GLOBAL general_log = 0');
		const [rows] = (await admin.query(
			"SELECT CONVERT(argument USING utf8mb4) AS q FROM mysql.general_log WHERE command_type IN ('Query', 'Execute')"
		)) as unknown as [{ q: string }[]];
		await admin.end();
		mock.handler.setOptions({ tokens: 60, delayMs: 50, holdEnd: null });

		for (const e of events) expect(e.at(-1)!.event).toBe('done');
		const ends = /update `message` set `content` = '(?:[^'\\]|\\.)*', `status` = 'complete'/gi;
		const trips = rows.map((r) => r.q.match(ends)?.length ?? 0).filter((n) => n > 0);
		console.log(
			`batched ends: ${REPLIES} replies ended together, stored in ${trips.length} trips carrying ${trips.join(', ')}`
		);
		expect(trips.reduce((a, b) => a + b, 0)).toBe(REPLIES);
		expect(trips.length).toBeLessThan(REPLIES);
		expect(Math.max(...trips)).toBeGreaterThan(1);
		for (const e of events) {
			const id = e[0].data.assistantMessageId!;
			const [row] = await app.db.query<{ content: string; status: string; tokens: number }>(
				'SELECT content, status, tokens FROM message WHERE id = ?',
				[id]
			);
			expect(row).toMatchObject({ content: textOf(e), status: 'complete' });
			expect(row.tokens).toBeGreaterThan(0);
		}
	}, 60_000);
});
