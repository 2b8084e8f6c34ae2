import mysql from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
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
		await migrate(drizzle(conn), { migrationsFolder });
	} finally {
		await conn.end();
	}
}
