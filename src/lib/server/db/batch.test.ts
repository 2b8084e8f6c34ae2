import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { createTestDatabase, SERVER_URL, type TestDatabase } from '../../../../tests/helpers/db';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { boolean, datetime, int, json, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import {
	createBatchPool,
	readsInOneTrip,
	readTemplate,
	slot,
	statementsInOneTrip,
	template,
	transactionInOneTrip,
	type Built
} from './batch';

const stmt = (sql: string, ...params: unknown[]) => ({ toSQL: () => ({ sql, params }) });

/** Pools of POOL_SIZE connections, every one of which `countTrips` can watch. */
const POOL_SIZE = 2;

/** Counts the queries sent from now on over every connection of `pool` (each one a round trip). */
async function countTrips(pool: ReturnType<typeof createBatchPool>) {
	let trips = 0;
	const conns = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.getConnection()));
	for (const conn of conns) {
		const core = conn.connection as unknown as { query: (...args: unknown[]) => unknown };
		const query = core.query.bind(core);
		core.query = (...args: unknown[]) => {
			trips += 1;
			return query(...args);
		};
		conn.release();
	}
	return () => trips;
}

describe('transactionInOneTrip (real MariaDB)', () => {
	let db: TestDatabase;
	let pool: ReturnType<typeof createBatchPool>;
	const run = (guard: Built, statements: Built[]) => transactionInOneTrip(guard, statements, pool);
	// A guard that changes exactly one row: the counter's only row.
	const takeOne = () => stmt('UPDATE counter SET n = n + 1 WHERE n < ?', 1000);
	const counter = async () => (await db.query<{ n: number }>('SELECT n FROM counter'))[0].n;

	beforeAll(async () => {
		db = await createTestDatabase('oreai_batch');
		const admin = await mysql.createConnection(SERVER_URL);
		await admin.query(`CREATE DATABASE \`${db.name}\``);
		await admin.end();
		await db.query('CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL)');
		await db.query('CREATE TABLE counter (n INT NOT NULL)');
		await db.query('INSERT INTO counter (n) VALUES (0)');
		pool = createBatchPool(db.url, POOL_SIZE);
	});
	afterAll(async () => {
		await pool?.end();
		await db?.drop();
	});

	const rows = () => db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id');

	it('commits the guard and every statement together, in one round trip, and answers each statement’s result in order', async () => {
		const trips = await countTrips(pool);
		const results = await run(takeOne(), [
			stmt('INSERT INTO t (v) VALUES (?)', 'a'),
			stmt('INSERT INTO t (v) VALUES (?)', 'b')
		]);
		expect(results).toHaveLength(2);
		expect(results![1].insertId).toBeGreaterThan(results![0].insertId);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
		expect(await counter()).toBe(1);
		// COMMIT went with the statements.
		expect(trips()).toBe(1);
	});

	it('keeps nothing when the guard changes no row, and answers null', async () => {
		const results = await run(stmt('UPDATE counter SET n = n + 1 WHERE n < ?', 0), [
			stmt('UPDATE t SET v = ? WHERE v = ?', 'changed', 'a'),
			stmt('INSERT INTO t (v) VALUES (?)', 'c')
		]);
		expect(results).toBeNull();
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
		expect(await counter()).toBe(1);
	});

	it('keeps nothing when the guard changes more than one row', async () => {
		await db.query('INSERT INTO counter (n) VALUES (1)');
		const results = await run(stmt('UPDATE counter SET n = n + 1 WHERE n < ?', 1000), [
			stmt('INSERT INTO t (v) VALUES (?)', 'c')
		]);
		expect(results).toBeNull();
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
		await db.query('DELETE FROM counter WHERE n = 1 LIMIT 1');
		expect(await counter()).toBe(1);
	});

	it('undoes the guard and the statements before one that fails, and the next transaction works', async () => {
		await expect(
			run(takeOne(), [stmt('INSERT INTO t (v) VALUES (?)', 'd'), stmt('INSERT INTO t (v) VALUES (?)', null)])
		).rejects.toThrow(/cannot be null/i);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b']);
		expect(await counter()).toBe(1);
		const again = await run(takeOne(), [stmt('INSERT INTO t (v) VALUES (?)', 'e')]);
		expect(again).toHaveLength(1);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b', 'e']);
		expect(await counter()).toBe(2);
	});

	it('keeps values as data: a value that looks like more statements is stored as typed', async () => {
		const evil = "x'); DELETE FROM t; --";
		await run(takeOne(), [stmt('INSERT INTO t (v) VALUES (?)', evil)]);
		expect((await rows()).map((r) => r.v)).toEqual(['a', 'b', 'e', evil]);
	});
});

const note = mysqlTable('note', {
	id: int('id').autoincrement().primaryKey(),
	owner: varchar('owner', { length: 64 }).notNull(),
	body: varchar('body', { length: 255 }),
	at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
	done: boolean('done').notNull().default(false),
	meta: json('meta').$type<{ tags: string[] }>()
});
type Note = typeof note.$inferSelect;

describe('template (real MariaDB)', () => {
	let db: TestDatabase;
	let pool: ReturnType<typeof createBatchPool>;

	beforeAll(async () => {
		db = await createTestDatabase('oreai_template');
		const admin = await mysql.createConnection(SERVER_URL);
		await admin.query(`CREATE DATABASE \`${db.name}\``);
		await admin.end();
		await db.query(
			'CREATE TABLE note (id INT AUTO_INCREMENT PRIMARY KEY, owner VARCHAR(64) NOT NULL, body VARCHAR(255) NULL, at DATETIME(3) NOT NULL, done BOOLEAN NOT NULL DEFAULT 0, meta JSON NULL)'
		);
		pool = createBatchPool(db.url, POOL_SIZE);
	});
	afterAll(async () => {
		await pool?.end();
		await db?.drop();
	});

	it('builds a statement once and fills each use with its own values, through the columns’ encoders', async () => {
		const orm = drizzle({ client: pool, mode: 'default' });
		let builds = 0;
		const insert = template<{ owner: string; body: string | null; at: Date }>({
			toSQL() {
				builds += 1;
				return orm
					.insert(note)
					.values({ owner: slot('owner'), body: slot('body'), at: slot('at') })
					.toSQL();
			}
		});
		const rename = template<{ owner: string; body: string }>(
			orm
				.update(note)
				.set({ body: slot('body') })
				.where(eq(note.owner, slot('owner')))
		);
		const first = new Date('2026-01-02T03:04:05.678Z');
		const second = new Date('2027-06-07T08:09:10.111Z');
		const evil = "x'); DELETE FROM note; --";
		await statementsInOneTrip(
			[
				insert({ owner: 'ann', body: 'one', at: first }),
				insert({ owner: 'bob', body: null, at: second }),
				insert({ owner: 'cy', body: evil, at: first }),
				rename({ owner: 'ann', body: 'renamed' })
			],
			pool
		);
		expect(builds).toBe(1);
		const rows = await db.query<{ owner: string; body: string | null; at: string }>(
			"SELECT owner, body, DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%s.%fZ') AS at FROM note ORDER BY id"
		);
		expect(rows.map(({ owner, body, at }) => ({ owner, body, at: at.replace(/(\.\d{3})\d{3}Z$/, '$1Z') }))).toEqual([
			{ owner: 'ann', body: 'renamed', at: first.toISOString() },
			{ owner: 'bob', body: null, at: second.toISOString() },
			{ owner: 'cy', body: evil, at: first.toISOString() }
		]);
	});

	it('refuses a use that leaves a placeholder without a value', () => {
		const orm = drizzle({ client: pool, mode: 'default' });
		const insert = template<{ owner: string }>(orm.insert(note).values({ owner: slot('owner'), at: slot('at') }));
		expect(() => insert({ owner: 'dee' }).toSQL()).toThrow(/No value for placeholder "at"/);
	});

	it('reads several selects in one round trip and decodes their rows as drizzle would', async () => {
		const orm = drizzle({ client: pool, mode: 'default' });
		await db.query('DELETE FROM note');
		const at = new Date('2026-03-04T05:06:07.089Z');
		await statementsInOneTrip(
			[
				orm.insert(note).values({ owner: 'eve', body: null, at, done: true, meta: { tags: ['a', 'b'] } }),
				orm.insert(note).values({ owner: 'eve', body: "it's", at, done: false, meta: null }),
				orm.insert(note).values({ owner: 'fay', body: 'other', at })
			],
			pool
		);
		const ofOwner = readTemplate<typeof note, { owner: string }>(
			note,
			orm
				.select()
				.from(note)
				.where(eq(note.owner, slot('owner')))
				.orderBy(note.id)
		);
		const trips = await countTrips(pool);
		const [eve, fay, nobody] = await readsInOneTrip<[Note, Note, Note]>(
			[ofOwner({ owner: 'eve' }), ofOwner({ owner: 'fay' }), ofOwner({ owner: "x' OR 1=1 --" })],
			pool
		);
		expect(trips()).toBe(1);
		expect(eve.map(({ id: _, ...r }) => r)).toEqual([
			{ owner: 'eve', body: null, at, done: true, meta: { tags: ['a', 'b'] } },
			{ owner: 'eve', body: "it's", at, done: false, meta: null }
		]);
		expect(fay.map((r) => [r.owner, r.done, r.meta])).toEqual([['fay', false, null]]);
		expect(nobody).toEqual([]);
		const [alone] = await readsInOneTrip<[Note]>([ofOwner({ owner: 'fay' })], pool);
		expect(alone.map((r) => r.body)).toEqual(['other']);
	});

	it('refuses a select that is not of whole rows, whose columns it could not decode', () => {
		const orm = drizzle({ client: pool, mode: 'default' });
		expect(() => readTemplate(note, orm.select({ owner: note.owner }).from(note))).toThrow(
			/not a select of whole rows/
		);
	});
});
