import mysql from 'mysql2/promise';
import { fillPlaceholders, getTableColumns, sql, type InferSelectModel } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { PoolConnection as RawConnection, ResultSetHeader } from 'mysql2';
import { config } from '../config';

/** How long an idle pooled connection is kept open (mysql2 lets it go after a minute by default). */
export const IDLE_CONNECTION_MS = 10 * 60_000;
/**
 * Server-side prepared statements a connection keeps. mysql2 allocates room for this many up
 * front, per connection: its default of 16,000 cost 512 KB each, 50 MB for two full pools.
 * Queries here go as plain text (drizzle's `query`); nothing relies on this cache.
 */
export const PREPARED_STATEMENTS_KEPT = 64;

/**
 * What both pools share. `trace: false`: mysql2 otherwise captures a stack trace for every
 * statement (1.7 % of the app's CPU at 500 streams) only to decorate its errors; drizzle's
 * wrapping error already carries the caller's await chain.
 */
export const poolOptions = (url: string, size: number) => ({
	uri: url,
	socketPath,
	connectionLimit: size,
	charset: 'utf8mb4_unicode_ci',
	timezone: 'Z' as const,
	idleTimeout: IDLE_CONNECTION_MS,
	maxPreparedStatements: PREPARED_STATEMENTS_KEPT,
	trace: false
});

/**
 * Readies each new pooled connection: dates are UTC in Node, so the server's NOW() and
 * CURRENT_TIMESTAMP must agree on any host. mysql2 lets a pooled connection hear only its
 * first 'error' (and a statement without a callback throws its own): a connection that fails
 * twice, or whose setup fails, would otherwise take the whole process down. A broken
 * connection leaves the pool (one whose setup failed is closed); the next statement opens another.
 */
export function onNewConnection(conn: RawConnection) {
	conn.on('error', () => undefined);
	conn.query("SET time_zone = '+00:00'", (err) => {
		if (err) conn.destroy();
	});
}

/** The database's Unix socket, once `useSocket` found one (db/socket.ts); TCP until then. */
let socketPath: string | undefined;

/** New connections of both pools go through `path`; open ones stay as they are until they close. */
export function useSocket(path: string, main: mysql.Pool) {
	socketPath = path;
	// mysql2 types the pool's settings as its options; at run time they hold the connections' own.
	type Live = { connectionConfig: { socketPath?: string } };
	for (const p of [main, batchPool]) if (p) (p.pool.config as unknown as Live).connectionConfig.socketPath = path;
}

/** A statement drizzle has built but not run (an insert, update or delete builder). */
export interface Built {
	toSQL(): { sql: string; params: unknown[] };
}

/**
 * A statement built once, with named placeholders (`slot`) where its values go: each use only
 * fills them in, each value through its column's encoder as drizzle's own prepared queries do.
 * Building is not free: drizzle's building of a send's five statements cost about 0.5 ms of
 * CPU per send, a twentieth of the process's work at 500 streams. Only for statements whose
 * shape never changes: a value that decides the shape (a title set or not) needs a template
 * of each shape.
 */
export function template<V extends object>(statement: Built): (values: V) => Built {
	const { text, fill } = withPlaceholders(statement);
	return (values) => {
		const filled = { sql: text, params: fill(values) };
		return { toSQL: () => filled };
	};
}

/** A statement's text, built once, and the filling of its placeholders for one use. */
function withPlaceholders(statement: Built) {
	const { sql: text, params } = statement.toSQL();
	return { text, fill: (values: object) => fillPlaceholders(params, values as Record<string, unknown>) };
}

/** A named placeholder, given to a statement builder where it takes a value of type T. */
export const slot = <T>(name: string) => sql.placeholder(name) as unknown as T;

/** A select of whole rows of one table, filled in for one use, with the decoding of its rows. */
export interface Read<Row> {
	sql: string;
	params: unknown[];
	decode(raw: unknown[][]): Row[];
}

/**
 * `template` for a select of a whole table's rows (`db.select().from(table)…`), to be read
 * with `readsInOneTrip`. Its rows are decoded here, column by column through each column's
 * decoder, as drizzle does, without drizzle's per-row bookkeeping.
 */
export function readTemplate<T extends MySqlTable, V extends object>(
	table: T,
	statement: Built
): (values: V) => Read<InferSelectModel<T>> {
	const { text, fill } = withPlaceholders(statement);
	const columns = Object.entries(getTableColumns(table));
	// drizzle lists a whole table's columns in the table's order: the decoding relies on it.
	const listed = columns.map(([, c]) => `\`${c.name}\``).join(', ');
	if (!text.startsWith(`select ${listed} from `)) throw new Error(`not a select of whole rows: ${text}`);
	const decode = (raw: unknown[][]) =>
		raw.map((r) => {
			const row: Record<string, unknown> = {};
			for (let i = 0; i < columns.length; i++) {
				const v = r[i];
				row[columns[i][0]] = v === null ? null : columns[i][1].mapFromDriverValue(v);
			}
			return row as InferSelectModel<T>;
		});
	return (values) => ({ sql: text, params: fill(values), decode });
}

/** As drizzle reads them: dates as the server's text, which the columns' decoders turn into Dates. */
const datesAsText: mysql.TypeCast = (field, next) =>
	field.type === 'TIMESTAMP' || field.type === 'DATETIME' || field.type === 'DATE' ? field.string() : next();

/**
 * Runs independent selects in one round trip and answers each one's rows, in order. Two
 * reads side by side on two connections cost two writes to the database and two turns of
 * the event loop; on a busy server both count.
 */
export async function readsInOneTrip<R extends unknown[]>(
	reads: { [K in keyof R]: Read<R[K]> },
	on: mysql.Pool = pool()
): Promise<{ [K in keyof R]: R[K][] }> {
	const [results] = await on.query<mysql.RowDataPacket[][]>(
		{ sql: reads.map((r) => r.sql).join(';\n'), rowsAsArray: true, typeCast: datesAsText },
		reads.flatMap((r) => r.params)
	);
	const sets = (reads.length === 1 ? [results] : results) as unknown as unknown[][][];
	return reads.map((r, i) => r.decode(sets[i])) as { [K in keyof R]: R[K][] };
}

// The only connections that may carry several statements in one query, so a pool of their own:
// `transactionInOneTrip` sends nothing but statements drizzle built, every value a placeholder.
export function createBatchPool(url: string, size: number) {
	const p = mysql.createPool({ ...poolOptions(url, size), multipleStatements: true });
	p.pool.on('connection', onNewConnection);
	return p;
}

/** Connections left to the migration, the admin tools and other clients of the server. */
const SPARE_CONNECTIONS = 10;
/** Most connections per pool: DB_POOL_SIZE, or less once `fitPoolsToServer` has run. */
let poolLimit: number | undefined;

/**
 * Caps both pools so that every process of this server fits the database's
 * `max_connections`: each of the WORKERS processes keeps two pools (queries, and the sends'
 * one-trip statements). Without it, two workers at the defaults could ask a default MariaDB
 * (151) for 200 connections under load, and sends failed with "too many connections".
 * Returns the connections per pool.
 */
export async function fitPoolsToServer(main: mysql.Pool) {
	const c = config();
	const [rows] = await main.query<mysql.RowDataPacket[]>('SELECT @@max_connections AS max');
	const fair = Math.floor((Number(rows[0]?.max) - SPARE_CONNECTIONS) / (2 * c.WORKERS));
	poolLimit = Number.isFinite(fair) ? Math.max(2, Math.min(c.DB_POOL_SIZE, fair)) : c.DB_POOL_SIZE;
	for (const p of [main, batchPool]) if (p) p.pool.config.connectionLimit = poolLimit;
	return poolLimit;
}

let batchPool: mysql.Pool | undefined;
function pool() {
	if (batchPool) return batchPool;
	batchPool = createBatchPool(config().DATABASE_URL, poolLimit ?? config().DB_POOL_SIZE);
	// Open connections keep the process alive: close them with the main pool at shutdown
	// (a close that fails as the process exits leaves nothing to clean up).
	process.once('sveltekit:shutdown', () => void closeBatchPool().catch(() => undefined));
	return batchPool;
}

/**
 * Opens connections of both pools once the database is ready, so the first burst of sends
 * after a start neither waits for handshakes nor pays for them in CPU (each send needs a
 * connection of each pool; at 50 sends at once on a fresh process, opening them cost about
 * 200 ms of the first token). Takes at most a third of the server's free connection slots
 * per pool, so other processes and clients of the same server are never crowded out.
 * Returns how many it opened.
 */
export async function openConnectionsAhead(main: mysql.Pool) {
	const upTo = main.pool.config.connectionLimit ?? 0;
	const [limit] = await main.query<mysql.RowDataPacket[]>('SELECT @@max_connections AS max');
	const [status] = await main.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
	const free = Number(limit[0]?.max ?? 0) - Number(status[0]?.Value ?? Infinity);
	const count = Math.max(0, Math.min(upTo, Math.floor(free / 3)));
	const take = (p: mysql.Pool) => Array.from({ length: count }, () => p.getConnection());
	const conns = await Promise.allSettled([...take(main), ...take(pool())]);
	for (const c of conns) if (c.status === 'fulfilled') c.value.release();
	return conns.filter((c) => c.status === 'fulfilled').length;
}

export async function closeBatchPool() {
	const p = batchPool;
	batchPool = undefined;
	await p?.end();
}

/** MySQL's and MariaDB's "Result consisted of more than one row": what a refused guard raises. */
const GUARD_REFUSED = 1172;

/**
 * Runs `guard`, and then `statements`, as one transaction that reaches the database in one
 * round trip, COMMIT included. On a busy server every awaited statement costs a turn of the
 * event loop (tens to hundreds of milliseconds under load), so a five-statement transaction
 * that waits for each statement holds its connection, and the person, for seven turns; this
 * one for one. The statements are kept only if `guard` changed exactly one row (a quota unit
 * taken, say): otherwise nothing is kept and the answer is null. The check runs on the server,
 * between the guard and the rest: a SELECT … INTO that finds two rows when the guard's row
 * count is not 1 is an error, and an error stops a batch of statements where it stands, so
 * neither the statements nor the COMMIT run, and the transaction is rolled back (a second
 * trip, only then). Answers each statement's result, in order.
 */
export async function transactionInOneTrip(
	guard: Built,
	statements: Built[],
	on: mysql.Pool = pool()
): Promise<ResultSetHeader[] | null> {
	const built = [guard, ...statements].map((s) => s.toSQL());
	const [first, ...rest] = built.map((b) => b.sql);
	const conn = await on.getConnection();
	let broken = false;
	try {
		const [all] = await conn.query<ResultSetHeader[]>(
			[
				'START TRANSACTION',
				first,
				'SET @oreai_guard = ROW_COUNT()',
				'SELECT 1 INTO @oreai_refused FROM (SELECT 1 AS n UNION ALL SELECT 2) two WHERE @oreai_guard <> 1',
				...rest,
				'COMMIT'
			].join(';\n'),
			built.flatMap((b) => b.params)
		);
		// START, guard, SET, SELECT … INTO, the statements, COMMIT.
		return all.slice(4, -1);
	} catch (e) {
		// A refused guard or a failed statement: the batch stopped before COMMIT.
		await conn.query('ROLLBACK').catch(() => {
			broken = true; // the connection cannot be trusted with another query
			conn.destroy();
		});
		if ((e as { errno?: number }).errno === GUARD_REFUSED) return null;
		throw e;
	} finally {
		if (!broken) conn.release();
	}
}

/**
 * Runs `statements` in one round trip without a transaction: each commits on its own, in
 * order, and a failure stops the ones after it. For writes that need no atomicity together,
 * only fewer trips (every trip is a system call each way and a turn of a busy event loop).
 */
export async function statementsInOneTrip(statements: Built[], on: mysql.Pool = pool()) {
	const built = statements.map((s) => s.toSQL());
	await on.query(
		built.map((b) => b.sql).join(';\n'),
		built.flatMap((b) => b.params)
	);
}
