import fs from 'node:fs';
import mysql from 'mysql2/promise';

/**
 * A database on this machine is reached through its Unix socket when it has one: a statement
 * over loopback TCP costs the app 2 to 4 times the CPU of the same statement over the socket
 * (the kernel runs both ends of the TCP stack on the sender's time). Measured here with mysql2:
 * 430 → 115 µs per `SELECT ?` one after another, 183 → 82 µs with 20 at once. A send makes
 * about six statements, so the whole app gains less (within run-to-run noise in `npm run bench`).
 *
 * `setting` is DATABASE_SOCKET: `auto` asks the server named by DATABASE_URL (only when its
 * host is this machine) for its socket, `off` keeps TCP, anything else is a socket path.
 * The socket is used only if a connection through it reaches the same server as the same user
 * with the same privileges (a socket login is `user@localhost`, which may be another account
 * than `user@127.0.0.1`); otherwise, and on any error, the answer is null and the pools stay on TCP.
 */
export async function localSocket(url: string, setting: string): Promise<string | null> {
	if (setting === 'off') return null;
	const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
	if (setting === 'auto' && !['127.0.0.1', 'localhost', '::1'].includes(host)) return null;
	let tcp: mysql.Connection | undefined;
	let local: mysql.Connection | undefined;
	try {
		tcp = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
		const who = async (c: mysql.Connection) => {
			const [rows] = await c.query<mysql.RowDataPacket[]>(
				"SELECT @@hostname AS h, @@port AS p, @@datadir AS d, @@socket AS s, SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS u"
			);
			const [grants] = await c.query<mysql.RowDataPacket[]>('SHOW GRANTS');
			const r = rows[0] ?? {};
			return {
				server: [r.h, r.p, r.d, r.u].join('|'),
				socket: String(r.s ?? ''),
				privileges: privileges(grants.map((g) => String(Object.values(g)[0])))
			};
		};
		const server = await who(tcp);
		const path = setting === 'auto' ? server.socket : setting;
		if (!path || !fs.existsSync(path)) return null;
		local = await mysql.createConnection({ uri: url, socketPath: path, connectTimeout: 2000 });
		const through = await who(local);
		return through.server === server.server && through.privileges === server.privileges ? path : null;
	} catch {
		return null;
	} finally {
		await Promise.allSettled([tcp?.end(), local?.end()]);
	}
}

/** What an account may do, without whom it names or how it logs in: comparable across hosts. */
export function privileges(grants: string[]) {
	return grants
		.filter((g) => !/^GRANT PROXY /.test(g))
		.map((g) =>
			g
				.replace(/ TO [`'"][^`'"]*[`'"]@[`'"][^`'"]*[`'"]/, ' TO ?')
				.replace(/ IDENTIFIED (VIA|BY|WITH) .*?(?= WITH GRANT OPTION|$)/, '')
		)
		.sort()
		.join('\n');
}
