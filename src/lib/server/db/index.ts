import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { config } from '../config';
import * as schema from './schema';
import { onNewConnection, poolOptions } from './batch';

// The pool connects lazily, so importing this module (as the build's analysis does) opens nothing.
export const pool = mysql.createPool({
	...poolOptions(config().DATABASE_URL, config().DB_POOL_SIZE),
	dateStrings: false
});

pool.pool.on('connection', onNewConnection);

export const db = drizzle({ client: pool, schema, mode: 'default' });
export type Db = typeof db;
export { schema };

/**
 * A database failure in a few words for the log: the driver's code, never the statement or
 * its parameters (drizzle puts both in its error message).
 */
export function dbFailure(e: unknown): string {
	for (let cur = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
		const code = (cur as { code?: unknown }).code;
		if (typeof code === 'string' && code) return code;
	}
	return e instanceof Error ? e.name : 'unknown';
}
