import mysql from 'mysql2/promise';

export const SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** A database of the suite's own, dropped when the suite ends. */
export async function createTestDatabase(prefix = 'oreai_test', server = SERVER_URL) {
	const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
	const url = `${server}/${name}`;
	return {
		name,
		url,
		async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
			const conn = await mysql.createConnection(url);
			try {
				const [rows] = await conn.query(sql, params);
				return rows as T[];
			} finally {
				await conn.end();
			}
		},
		async drop() {
			const conn = await mysql.createConnection(server);
			try {
				await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
			} finally {
				await conn.end();
			}
		}
	};
}
export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;
