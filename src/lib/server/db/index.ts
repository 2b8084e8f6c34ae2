import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { config } from '../config';
import * as schema from './schema';

// The pool connects lazily, so importing this module (as the build's analysis does) opens nothing.
export const pool = mysql.createPool({
	uri: config().DATABASE_URL,
	connectionLimit: config().DB_POOL_SIZE,
	charset: 'utf8mb4_unicode_ci',
	timezone: 'Z',
	dateStrings: false
});

// Dates are UTC in Node; make the server's NOW() and CURRENT_TIMESTAMP agree on any host.
pool.pool.on('connection', (conn) => conn.query("SET time_zone = '+00:00'"));

export const db = drizzle({ client: pool, schema, mode: 'default' });
export type Db = typeof db;
export { schema };
