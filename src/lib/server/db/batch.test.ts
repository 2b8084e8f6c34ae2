import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { createTestDatabase, SERVER_URL, type TestDatabase } from '../../../../tests/helpers/db';
import { createBatchPool, transactionInOneTrip, type Built } from './batch';

const stmt = (sql: string, ...params: unknown[]) => ({ toSQL: () => ({ sql, params }) });

describe('transactionInOneTrip (real MariaDB)', () => {
	let db: TestDatabase;
	let pool: ReturnType<typeof createBatchPool>;
	const run = (statements: Built[], keep: Parameters<typeof transactionInOneTrip>[1]) =>
		transactionInOneTrip(statements, keep, pool);

	beforeAll(async () => {
		db = await createTestDatabase('oreai_batch');
		const admin = await mysql.createConnection(SERVER_URL);
		await admin.query(`CREATE DATABASE \`${db.name}\``);
		await admin.end();
		await db.query('CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL)');
		pool = createBatchPool(db.url, 2);
	});
	afterAll(async () => {
		await pool?.end();
		await db?.drop();
	});

	const rows = () => db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id');

	it('commits every statement together and answers each one’s result, in order', async () => {
		const results = await run(
			[stmt('INSERT INTO t (v) VALUES (?)', 'a'), stmt('INSERT INTO t (v) VALUES (?)', 'b')],
			() => true
		);
		expect(results).toHaveLength(2);
		expect(results![1].insertId).toBeGreaterThan(results![0].insertId);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
	});

	it('rolls everything back when the results say so, and answers null', async () => {
		const results = await run(
			[stmt('UPDATE t SET v = ? WHERE v = ?', 'changed', 'a'), stmt('INSERT INTO t (v) VALUES (?)', 'c')],
			([update]) => update.affectedRows === 0
		);
		expect(results).toBeNull();
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
	});

	it('undoes the statements before one that fails, and the next transaction works', async () => {
		await expect(
			run([stmt('INSERT INTO t (v) VALUES (?)', 'd'), stmt('INSERT INTO t (v) VALUES (?)', null)], () => true)
		).rejects.toThrow(/cannot be null/i);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
		const again = await run([stmt('INSERT INTO t (v) VALUES (?)', 'e')], () => true);
		expect(again).toHaveLength(1);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b', 'e']);
	});

	it('keeps values as data: a value that looks like more statements is stored as typed', async () => {
		const evil = "x'); DELETE FROM t; --";
		await run([stmt('INSERT INTO t (v) VALUES (?)', evil)], () => true);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b', 'e', evil]);
	});
});
