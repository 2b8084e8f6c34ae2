import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './app';

/**
 * A MariaDB server of the suite's own (own port, data directory and socket under a temp
 * directory), so a test can stop and start it under a running app, or give it settings of
 * its own (`extraArgs`, e.g. a low --max-connections). The shared server on 3306 is never touched.
 */
export async function startPrivateMariaDb(extraArgs: string[] = []) {
	const dir = await mkdtemp(path.join(tmpdir(), 'oreai-mariadb-'));
	const datadir = path.join(dir, 'data');
	const port = await freePort();
	const install = spawnSync(
		'mariadb-install-db',
		[
			'--no-defaults',
			`--datadir=${datadir}`,
			'--user=root',
			'--skip-test-db',
			'--auth-root-authentication-method=normal'
		],
		{ encoding: 'utf8' }
	);
	if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stderr}`);
	const url = `mysql://root@127.0.0.1:${port}`;
	let proc: ChildProcess | null = null;

	const ping = async () => {
		try {
			const conn = await mysql.createConnection(url);
			await conn.end();
			return true;
		} catch {
			return false;
		}
	};

	const server = {
		url,
		port,
		async start() {
			proc = spawn(
				'/usr/sbin/mariadbd',
				[
					'--no-defaults',
					`--datadir=${datadir}`,
					`--port=${port}`,
					`--socket=${path.join(dir, 'mariadb.sock')}`,
					`--pid-file=${path.join(dir, 'mariadb.pid')}`,
					`--log-error=${path.join(dir, 'error.log')}`,
					'--bind-address=127.0.0.1',
					'--user=root',
					'--skip-grant-tables',
					'--skip-log-bin',
					'--innodb-buffer-pool-size=16M',
					'--innodb-log-file-size=8M',
					'--innodb-flush-log-at-trx-commit=2',
					...extraArgs
				],
				{ stdio: 'ignore' }
			);
			const deadline = Date.now() + 30_000;
			while (!(await ping())) {
				if (proc.exitCode !== null) throw new Error(`mariadbd exited with ${proc.exitCode}`);
				if (Date.now() > deadline) throw new Error('mariadbd did not start');
				await new Promise((r) => setTimeout(r, 100));
			}
		},
		/** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a stall. */
		freeze() {
			proc?.kill('SIGSTOP');
		},
		thaw() {
			proc?.kill('SIGCONT');
		},
		/** Shuts the server down (SIGTERM) and waits until it has exited. */
		async stop() {
			const p = proc;
			proc = null;
			if (!p || p.exitCode !== null) return;
			p.kill('SIGCONT'); // a frozen server cannot hear SIGTERM
			const exited = new Promise((r) => p.once('exit', r));
			p.kill('SIGTERM');
			const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
			await exited;
			clearTimeout(timer);
		},
		async destroy() {
			await server.stop();
			await rm(dir, { recursive: true, force: true });
		}
	};
	await server.start();
	return server;
}
export type PrivateMariaDb = Awaited<ReturnType<typeof startPrivateMariaDb>>;
