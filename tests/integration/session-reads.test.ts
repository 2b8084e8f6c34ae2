import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/mariadb';
import { Visitor } from '../helpers/visitor';

// Requests that arrive together read their sessions in one query: fewer reads than requests,
// and still each person is exactly who their own cookie says, never a neighbour in the same
// read. Counted from the server's own query log, on a MariaDB server of the suite's own.

const VISITORS = 40;

describe('session reads of requests that arrive together', () => {
	let server: PrivateMariaDb;
	let app: RunningApp;

	beforeAll(async () => {
		server = await startPrivateMariaDb();
		app = await startApp({}, await createTestDatabase('oreai_sessions', server.url));
	}, 60_000);
	afterAll(async () => {
		await app?.close().catch(() => undefined);
		await server?.destroy();
	});

	const whoIs = async (v: Visitor) => {
		const res = await v.fetch('/api/trpc/me.get');
		return { status: res.status, id: ((await res.json()) as { result?: { data: { id: string } } }).result?.data.id };
	};

	it(`answers ${VISITORS} people at once, each as themselves, with fewer session reads than requests`, async () => {
		const people = await Promise.all(Array.from({ length: VISITORS }, () => Visitor.arrive(app.url)));
		const ids: string[] = [];
		for (const v of people) ids.push((await whoIs(v)).id!);
		expect(new Set(ids).size).toBe(VISITORS);
		// One who signed out (the session is gone) and one with a made-up cookie, in the same burst.
		const gone = await Visitor.arrive(app.url);
		const goneId = (await whoIs(gone)).id!;
		await app.db.query('DELETE FROM session WHERE id = ?', [gone.cookie.split('=')[1]]);
		const forged = new Visitor(app.url);
		forged.cookie = `oreai_session=${'x'.repeat(40)}`;

		const admin = await mysql.createConnection(server.url);
		await admin.query("SET GLOBAL log_output = 'TABLE'");
		await admin.query('TRUNCATE mysql.general_log');
		await admin.query('SET GLOBAL general_log = 1');
		const answers = await Promise.all([...people, gone, forged].map(whoIs));
		await admin.query('SET GLOBAL general_log = 0');
		const [rows] = (await admin.query(
			"SELECT CONVERT(argument USING utf8mb4) AS q FROM mysql.general_log WHERE command_type IN ('Query', 'Execute')"
		)) as unknown as [{ q: string }[]];
		await admin.end();

		// Each person is themselves.
		expect(answers.slice(0, VISITORS).map((a) => a.id)).toEqual(ids);
		// Without a session nobody is anybody: the API answers 401 and names no one.
		for (const a of answers.slice(VISITORS)) expect(a).toEqual({ status: 401, id: undefined });
		expect(ids).not.toContain(goneId);
		const reads = rows.filter((r) => /from `session` inner join `user`/i.test(r.q));
		console.log(`session reads: ${VISITORS + 2} requests at once, ${reads.length} session reads`);
		expect(reads.length).toBeGreaterThanOrEqual(1);
		expect(reads.length).toBeLessThan(VISITORS + 2);
		expect(reads.some((r) => /`session`\.`id` in \(/i.test(r.q))).toBe(true);
	}, 60_000);
});
