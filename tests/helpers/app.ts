import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './db';

const root = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

export interface RunningApp {
	url: string;
	db: TestDatabase;
	proc: ChildProcess;
	logs: () => string;
	/** SIGTERM and wait for the process to exit; resolves the exit code. */
	stop(): Promise<number | null>;
	/** stop() and drop the database. */
	close(): Promise<void>;
}

/** Settings to pass to `startApp` to leave out everything the README's first line does not set. */
export const quickStart = {
	ORIGIN: undefined,
	HOST: undefined,
	REGISTER_LIMIT: undefined,
	CHATS_PER_MINUTE: undefined,
	SENDS_PER_MINUTE: undefined,
	ADDRESS_DAILY_CALLS: undefined
};

/**
 * Starts the built app (`node build`) on its own port and database. A setting given as
 * `undefined` is left out entirely: `quickStart` starts it as the README's quick start does.
 */
export async function startApp(
	env: Record<string, string | undefined> = {},
	db?: TestDatabase,
	opts: { waitReady?: boolean } = {}
): Promise<RunningApp> {
	const database = db ?? (await createTestDatabase());
	// A test that must know the port before start (to set ORIGIN to it) passes PORT itself.
	const port = env.PORT ? Number(env.PORT) : await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const settings: Record<string, string | undefined> = {
		PATH: process.env.PATH ?? '',
		DATABASE_URL: database.url,
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: url,
		// Suites send and create freely from one address; the limits have tests of their own.
		REGISTER_LIMIT: '10000',
		CHATS_PER_MINUTE: '100000',
		SENDS_PER_MINUTE: '100000',
		ADDRESS_DAILY_CALLS: '100000',
		// TEST_APP_REDIS_URL runs every app a suite starts in shared (Redis) mode, each under a
		// key prefix of its own: the single-process behaviour must hold there too.
		...(process.env.TEST_APP_REDIS_URL
			? { REDIS_URL: process.env.TEST_APP_REDIS_URL, REDIS_PREFIX: `oreai-test-${port}-${Date.now()}:` }
			: {}),
		...env
	};
	const proc = spawn(process.execPath, ['build'], {
		cwd: root,
		env: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Record<string, string>,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	proc.stdout!.on('data', (d) => (output += d));
	proc.stderr!.on('data', (d) => (output += d));
	let watching = false;
	const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
	// An app that dies on its own mid-suite shows up as refused connections: say why it died.
	proc.once('exit', (code, signal) => {
		if (watching && code !== 0 && signal === null)
			console.error(`app on ${url} exited (${code}):\n${output.slice(-4000)}`);
	});
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`app exited early:\n${output}`);
		try {
			// Static files answer at once; an API call answers 503 until the database is ready.
			const res = await fetch(`${url}/api/trpc/me.get`);
			if (opts.waitReady === false ? res.status > 0 : res.status !== 503 && res.status < 500) break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) {
			proc.kill('SIGKILL'); // an app left running would outlive the suite
			throw new Error(`app did not start:\n${output}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	watching = true;
	const stop = async () => {
		watching = false;
		if (proc.exitCode === null) proc.kill('SIGTERM');
		const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
		const code = await exited;
		clearTimeout(timer);
		return code;
	};
	return {
		url,
		db: database,
		proc,
		logs: () => output,
		stop,
		async close() {
			await stop();
			await database.drop();
		}
	};
}
