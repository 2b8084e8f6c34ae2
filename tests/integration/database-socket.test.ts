import { afterAll, describe, expect, it } from 'vitest';
import { localSocket, privileges } from '../../src/lib/server/db/socket';
import { startApp, type RunningApp } from '../helpers/app';
import { SERVER_URL } from '../helpers/db';
import { readSse, textOf, Visitor } from '../helpers/visitor';

// A database on the same machine is reached through its Unix socket (DATABASE_SOCKET=auto):
// the server names it, and it is used only if it reaches the same server as the same user.

/** The app's connections to its database, by transport: MariaDB shows a socket client as `localhost`. */
async function transports(app: RunningApp) {
	const rows = await app.db.query<{ host: string }>(
		'SELECT host FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()',
		[app.db.name]
	);
	return {
		socket: rows.filter((r) => r.host === 'localhost').length,
		tcp: rows.filter((r) => r.host.startsWith('127.0.0.1')).length
	};
}

async function sendOnce(app: RunningApp) {
	const v = await Visitor.arrive(app.url);
	const id = (await v.mutate('chats.create', {})).body.result.data.id as string;
	const events = await readSse(await v.send(id, { content: 'hello over the socket' }));
	expect(events.at(-1)?.event).toBe('done');
	expect(textOf(events).length).toBeGreaterThan(0);
	// Pages open the pools' connections ahead (db/batch.ts): wait for them.
	await new Promise((r) => setTimeout(r, 500));
}

describe('the database transport', () => {
	const apps: RunningApp[] = [];
	afterAll(async () => {
		await Promise.all(apps.map((a) => a.close()));
	});

	it('uses the local socket by default: sends work and the pools connect through it', async () => {
		const app = await startApp();
		apps.push(app);
		await sendOnce(app);
		const t = await transports(app);
		expect(t.socket).toBeGreaterThan(2);
		// At most the few opened while the app started, before the socket was found.
		expect(t.tcp).toBeLessThanOrEqual(2);
		expect(app.logs()).toContain('database reached through its local socket');
	});

	it('keeps TCP with DATABASE_SOCKET=off', async () => {
		const app = await startApp({ DATABASE_SOCKET: 'off' });
		apps.push(app);
		await sendOnce(app);
		const t = await transports(app);
		expect(t.socket).toBe(0);
		expect(t.tcp).toBeGreaterThan(2);
		expect(app.logs()).not.toContain('local socket');
	});

	it('falls back to TCP when the socket named does not exist, and sends still work', async () => {
		const app = await startApp({ DATABASE_SOCKET: '/nonexistent/oreai-test.sock' });
		apps.push(app);
		await sendOnce(app);
		expect((await transports(app)).socket).toBe(0);
	});
});

describe('localSocket', () => {
	it('is never tried for a database on another host, nor when off', async () => {
		// An unroutable address: asking it anything would time out, so null at once means not asked.
		const started = Date.now();
		expect(await localSocket('mysql://root@192.0.2.1:3306/x', 'auto')).toBeNull();
		expect(await localSocket(`${SERVER_URL}/mysql`, 'off')).toBeNull();
		expect(Date.now() - started).toBeLessThan(500);
	});

	it('finds the server’s own socket, and refuses a database that does not exist', async () => {
		expect(await localSocket(`${SERVER_URL}/mysql`, 'auto')).toMatch(/\.sock$/);
		expect(await localSocket(`${SERVER_URL}/oreai_no_such_database_here`, 'auto')).toBeNull();
	});

	it('compares privileges without the account’s host or how it logs in', () => {
		const tcp = ['GRANT ALL PRIVILEGES ON *.* TO `root`@`127.0.0.1` WITH GRANT OPTION'];
		const socket = [
			'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA unix_socket OR mysql_native_password WITH GRANT OPTION',
			'GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION'
		];
		expect(privileges(socket)).toBe(privileges(tcp));
		expect(privileges(["GRANT SELECT ON `oreai`.* TO 'app'@'localhost'"])).not.toBe(
			privileges(["GRANT ALL PRIVILEGES ON `oreai`.* TO 'app'@'127.0.0.1'"])
		);
	});
});
