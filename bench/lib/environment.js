// The environment under test: the built app (snapshotted), the mock upstream on its own thread, a fresh database, and cleaning all of it up.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { Worker } from 'node:worker_threads';
import { FLOOR, MYSQL_SERVER, RESULTS_DIR, ROOT, SNAPSHOT_DIR, log } from './config.js';
import { request } from './http-client.js';
import { freePort, round, sleep } from './util.js';

export const cleanups = [];
let cleaning = null;
export function cleanup() {
	cleaning ??= (async () => {
		for (const fn of cleanups.reverse()) {
			try {
				await fn();
			} catch (e) {
				console.error('[bench] cleanup step failed:', e?.message ?? e);
			}
		}
	})();
	return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.once(sig, async () => {
		console.error(`\n[bench] ${sig}: cleaning up`);
		await cleanup();
		process.exit(130);
	});
}

export function ensureBuild() {
	const ready = () => ['index.js', 'handler.js', 'client'].every((f) => fs.existsSync(path.join(ROOT, 'build', f)));
	if (!ready()) {
		log('build/ is missing: running npm run build');
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0 || !ready()) throw new Error('npm run build failed');
	}
	// Run a private copy so a concurrent `npm run build` cannot swap files under the running
	// server (route modules are imported lazily). Lives under bench/results (gitignored) so
	// `node_modules` still resolves from the repo root.
	fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
	fs.cpSync(path.join(ROOT, 'build'), SNAPSHOT_DIR, { recursive: true });
	cleanups.push(() => fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true }));
	const stat = fs.statSync(path.join(ROOT, 'build', 'index.js'));
	return { builtAt: stat.mtime.toISOString() };
}

/**
 * startMockServer(options) from tools/mock-upstream/server.js, run in a worker thread
 * (bench/mock-worker.js) so the mock and the load generator each get an event loop.
 */
export function startMock(options) {
	const worker = new Worker(new URL('../mock-worker.js', import.meta.url), { workerData: options });
	return new Promise((resolve, reject) => {
		worker.once('error', reject);
		worker.once('message', (m) => {
			if (m?.type !== 'ready') return reject(new Error('mock worker did not start'));
			worker.off('error', reject);
			worker.on('error', (e) => console.error('[bench] mock worker error:', e));
			let closed = false;
			const ask = (type, answer) =>
				new Promise((res) => {
					const on = (x) => {
						if (x?.type === answer) {
							worker.off('message', on);
							res(x);
						}
					};
					worker.on('message', on);
					worker.postMessage({ type });
				});
			resolve({
				clearRequests: () => ask('clearRequests', 'cleared'),
				/** { time: Date.now(), stream } of each chat completion request since the last clear. */
				requests: async () => (await ask('requestTimes', 'requestTimes')).requests,
				stats: () => ask('stats', 'stats'),
				/** Most streams in flight at once since the last call. */
				peak: async () => (await ask('peak', 'peak')).peak,
				url: m.url,
				port: m.port,
				worker,
				/** Event-loop utilisation of the mock's thread since `since` (or ever). */
				elu: (since) => worker.performance.eventLoopUtilization(since),
				async close() {
					if (closed) return;
					closed = true;
					const done = new Promise((r) => worker.on('message', (x) => x?.type === 'closed' && r(undefined)));
					worker.postMessage({ type: 'close' });
					await Promise.race([done, sleep(5000)]);
					await worker.terminate();
				}
			});
		});
	});
}

export async function createDatabase() {
	const name = `oreai_bench_${randomBytes(4).toString('hex')}`;
	const admin = await mysql.createConnection(MYSQL_SERVER);
	try {
		await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
	} finally {
		await admin.end();
	}
	cleanups.push(async () => {
		const c = await mysql.createConnection(MYSQL_SERVER);
		try {
			await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
			log(`dropped database ${name}`);
		} finally {
			await c.end();
		}
	});
	return { name, url: `${MYSQL_SERVER}/${name}` };
}

export async function startApp(dbUrl, mockUrl) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	// BENCH_CPU_PROF=1 writes a V8 CPU profile of the app to bench/results/prof/ (open it in
	// Chrome DevTools → Performance). It slows the app down: figures from such a run are not comparable.
	const profArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(RESULTS_DIR, 'prof')] : [];
	// BENCH_NODE_ARGS="--heap-growing-percent=300": Node flags for the app (ones NODE_OPTIONS refuses).
	const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
	const entry = FLOOR ? path.join(ROOT, 'bench', 'floor-server.js') : SNAPSHOT_DIR;
	const proc = spawn(process.execPath, [...profArgs, ...nodeArgs, entry], {
		cwd: ROOT,
		env: {
			PATH: process.env.PATH ?? '',
			HOME: process.env.HOME ?? '/tmp',
			NODE_ENV: 'production',
			DATABASE_URL: dbUrl,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: url,
			OPENAI_BASE_URL: mockUrl,
			OPENAI_API_KEY: 'bench',
			DEFAULT_QUOTA: '100000',
			REGISTER_LIMIT: '100000',
			CHATS_PER_MINUTE: '100000',
			SENDS_PER_MINUTE: '100000',
			ADDRESS_DAILY_CALLS: '100000',
			// BENCH_APP_ENV="TITLE_MODE=words NODE_OPTIONS=--max-semi-space-size=16": settings to compare.
			...Object.fromEntries(
				(process.env.BENCH_APP_ENV ?? '')
					.split(/\s+(?=[A-Z_]+=)/)
					.filter(Boolean)
					.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
			)
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	// BENCH_APP_LOG=<file>: everything the app prints, for a closer look at one run.
	const logFile = process.env.BENCH_APP_LOG ? fs.createWriteStream(process.env.BENCH_APP_LOG) : null;
	const keep = (d) => {
		logFile?.write(d);
		output += d;
		if (output.length > 200_000) output = output.slice(-100_000);
	};
	proc.stdout.on('data', keep);
	proc.stderr.on('data', keep);
	const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
	cleanups.push(async () => {
		if (proc.exitCode === null && proc.signalCode === null) {
			proc.kill('SIGTERM');
			const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
			const r = await exited;
			clearTimeout(timer);
			log(`app stopped (${r.signal ?? `exit ${r.code}`})`);
		}
	});

	const t0 = performance.now();
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`app exited early:\n${output}`);
		try {
			// Ready, not just listening: until the database answers and is migrated, pages are 503.
			const res = await request(`${url}/readyz`, { timeoutMs: 2000 });
			if (res.status === 200) break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) throw new Error(`app did not answer within 60 s:\n${output}`);
		await sleep(100);
	}
	return { url, proc, startMs: round(performance.now() - t0, 0), logs: () => output };
}
