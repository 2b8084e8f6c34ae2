import mysql from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { createHash } from 'node:crypto';
import path from 'node:path';

/** Creates the database named in `url` if it is missing, then applies pending migrations. */
export async function migrateDatabase(url: string, migrationsFolder = path.resolve('drizzle')) {
	const target = new URL(url);
	const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
	if (!/^[\w$]+$/.test(name)) throw new Error(`OreAI: unsupported database name "${name}"`);
	const server = new URL(url);
	server.pathname = '/';
	const admin = await mysql.createConnection(server.toString());
	try {
		await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
	} finally {
		await admin.end();
	}
	const conn = await mysql.createConnection(url);
	try {
		await conn.query("SET time_zone = '+00:00'");
		// Several processes starting at once (WORKERS, replicas) would each run the same
		// CREATE TABLE: one migrates while the others wait, then find nothing left to do.
		// GET_LOCK is a server-wide advisory lock in MySQL 8, MariaDB and TiDB alike.
		const lock = `oreai_migrate_${createHash('sha1').update(name).digest('hex').slice(0, 16)}`;
		const [[got]] = (await conn.query('SELECT GET_LOCK(?, 120) AS ok', [lock])) as unknown as [[{ ok: number }]];
		if (got?.ok !== 1) throw new Error('OreAI: another process held the migration lock for 2 minutes');
		try {
			await migrate(drizzle(conn), { migrationsFolder });
		} finally {
			await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
		}
	} finally {
		await conn.end();
	}
}
