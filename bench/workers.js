#!/usr/bin/env node
// `node bench/workers.js` (last step of `npm run bench`): the streaming scenario of
// bench/run.js through `npm start` at one process and at two workers side by side.
//
// Configurations: one process without Redis (the default), one worker with Redis (what
// sharing costs), two workers with Redis (what a second core buys). For each, C users
// each send the first message of a chat of their own at once, on fresh connections; the
// mock answers after 300 ms with 200 tokens 5 ms apart. Figures: first token and whole
// reply (p50 / p99, ms), failures, and CPU per reply summed over every process of the app.
// Writes bench/results/workers.json. Cleans up after itself, also on error.

import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SNAPSHOT_DIR = path.join(RESULTS_DIR, `.workers-${process.pid}`);
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CONCURRENCY = (process.env.BENCH_WORKER_STREAMS ?? '50,200').split(',').map(Number);
const MOCK_OPTIONS = { ttftMs: 300, tokens: 200, delayMs: 5 };
const STREAM_TIMEOUT_MS = 60_000;
const CONFIGS = [
	{ label: '1 process, no Redis', env: {} },
	{ label: '1 process + Redis', env: { REDIS_URL } },
	{ label: '2 workers + Redis', env: { REDIS_URL, WORKERS: '2' } }
];

const log = (...a) => console.log(`[bench workers ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

function pct(values, p) {
	if (!values.length) return null;
	const s = [...values].sort((a, b) => a - b);
	return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]);
}

async function pool(items, limit, fn) {
	const out = new Array(items.length);
	let next = 0;
	const run = async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
	return out;
}

function request(url, { method = 'GET', headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request(
			url,
			{ method, agent, headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
				res.on('error', reject);
			}
		);
		req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end(data);
	});
}

/** One reply, timed from sending: first `delta` event and `done`. */
function timedStream(appUrl, user) {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const r = { firstMs: null, doneMs: null, failure: null };
		let settled = false;
		const finish = (failure) => {
			if (settled) return;
			settled = true;
			r.failure = failure ?? r.failure ?? (r.doneMs === null ? 'no_done' : null);
			resolve(r);
		};
		const data = Buffer.from(JSON.stringify({ content: 'hello' }));
		const req = http.request(
			`${appUrl}/api/chats/${user.chatId}/messages`,
			{
				method: 'POST',
				agent: false,
				headers: { 'content-type': 'application/json', cookie: user.cookie, origin: appUrl }
			},
			(res) => {
				if (res.statusCode !== 200) {
					res.resume();
					return res.on('end', () => finish(`http_${res.statusCode}`));
				}
				res.setEncoding('utf8');
				let buf = '';
				res.on('data', (chunk) => {
					buf += chunk;
					let i;
					while ((i = buf.indexOf('\n\n')) >= 0) {
						const event = /^event: (\w+)/m.exec(buf.slice(0, i))?.[1];
						buf = buf.slice(i + 2);
						const t = performance.now() - t0;
						if (event === 'delta' && r.firstMs === null) r.firstMs = t;
						else if (event === 'done') r.doneMs = t;
						else if (event === 'error') r.failure = 'error_event';
					}
				});
				res.on('end', () => finish(null));
				res.on('error', () => finish('socket'));
			}
		);
		req.setTimeout(STREAM_TIMEOUT_MS, () => {
			finish('timeout');
			req.destroy();
		});
		req.on('error', (e) => finish(`socket_${e.code ?? 'error'}`));
		req.end(data);
	});
}

async function newUser(appUrl) {
	const res = await request(`${appUrl}/`, { headers: { accept: 'text/html' } });
	const session = []
		.concat(res.headers['set-cookie'] ?? [])
		.map((c) => c.match(/^oreai_session=([^;]+)/)?.[1])
		.find(Boolean);
	if (res.status !== 200 || !session) throw new Error(`GET / answered ${res.status} without a session`);
	const cookie = `oreai_session=${session}`;
	const chat = await request(`${appUrl}/api/trpc/chats.create`, {
		method: 'POST',
		headers: { cookie, origin: appUrl },
		body: {}
	});
	const chatId = JSON.parse(chat.body.toString())?.result?.data?.id;
	if (!chatId) throw new Error(`chats.create answered ${chat.status}`);
	return { cookie, chatId };
}

/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
function treeCpuSeconds(pid) {
	const tck = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
	const pids = [pid];
	for (let i = 0; i < pids.length; i++) {
		const kids = spawnSync('pgrep', ['-P', String(pids[i])], { encoding: 'utf8' }).stdout.trim();
		if (kids) pids.push(...kids.split('\n').map(Number));
	}
	let total = 0;
	for (const p of pids) {
		try {
			const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			total += (Number(fields[11]) + Number(fields[12])) / tck;
		} catch {
			// a process that has just exited has no CPU left to count
		}
	}
	return total;
}

function startMock() {
	const worker = new Worker(new URL('./mock-worker.js', import.meta.url), { workerData: MOCK_OPTIONS });
	return new Promise((resolve, reject) => {
		worker.once('error', reject);
		worker.once('message', (m) =>
			resolve({
				url: m.url,
				async close() {
					worker.postMessage({ type: 'close' });
					await Promise.race([
						new Promise((r) => worker.on('message', (x) => x?.type === 'closed' && r())),
						sleep(5000)
					]);
					await worker.terminate();
				}
			})
		);
	});
}

async function startApp(config, mockUrl, dbUrl, prefix) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const proc = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], {
		cwd: SNAPSHOT_DIR,
		env: {
			PATH: process.env.PATH ?? '',
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
			REDIS_PREFIX: prefix,
			DRAIN_SECONDS: '0',
			...config.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	proc.stdout.on('data', (d) => (output += d));
	proc.stderr.on('data', (d) => (output += d));
	const exited = new Promise((r) => proc.once('exit', r));
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`app exited early:\n${output}`);
		const ready = await request(`${url}/readyz`).then(
			(r) => r.status === 200,
			() => false
		);
		// /readyz answers from whichever worker takes the request: with several, wait until the
		// launcher says every one is ready (scripts/start.js), or pages may meet a migrating one.
		const workers = Number(config.env?.WORKERS ?? 1);
		if (ready && (workers <= 1 || output.includes(`all ${workers} workers ready`))) break;
		if (Date.now() > deadline) throw new Error(`app did not get ready:\n${output}`);
		await sleep(200);
	}
	return {
		url,
		pid: proc.pid,
		output: () => output,
		async stop() {
			if (proc.exitCode === null) proc.kill('SIGTERM');
			const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
			await exited;
			clearTimeout(timer);
		}
	};
}

async function measure(config, mock) {
	const dbName = `oreai_bench_w_${randomBytes(4).toString('hex')}`;
	const dbUrl = `${MYSQL_SERVER}/${dbName}`;
	const prefix = `oreai-bench-${randomBytes(4).toString('hex')}:`;
	const app = await startApp(config, mock.url, dbUrl, prefix);
	const rows = [];
	try {
		// Warm every worker: each one's first reply loads the tokenizer.
		for (const user of await pool(Array.from({ length: 6 }), 6, () => newUser(app.url)))
			await timedStream(app.url, user);
		for (const c of CONCURRENCY) {
			const users = await pool(Array.from({ length: c }), 16, () => newUser(app.url));
			await sleep(500);
			const cpu0 = treeCpuSeconds(app.pid);
			const results = await Promise.all(users.map((u) => timedStream(app.url, u)));
			const cpu = treeCpuSeconds(app.pid) - cpu0;
			const ok = results.filter((r) => !r.failure);
			const row = {
				config: config.label,
				streams: c,
				firstP50: pct(
					ok.map((r) => r.firstMs),
					50
				),
				firstP99: pct(
					ok.map((r) => r.firstMs),
					99
				),
				doneP50: pct(
					ok.map((r) => r.doneMs),
					50
				),
				doneP99: pct(
					ok.map((r) => r.doneMs),
					99
				),
				failed: results.length - ok.length,
				cpuMsPerReply: Math.round((cpu * 1000) / c)
			};
			// What went wrong, by kind, and what the app said about it.
			const failures = {};
			for (const r of results) if (r.failure) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
			if (row.failed) log(`failures: ${JSON.stringify(failures)}; app output:\n${app.output().slice(-3000)}`);
			log(JSON.stringify(row));
			rows.push(row);
		}
	} finally {
		await app.stop();
		const admin = await mysql.createConnection(MYSQL_SERVER);
		await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``).finally(() => admin.end());
		if (config.env.REDIS_URL) {
			const redis = new Redis(REDIS_URL);
			const keys = await redis.keys(prefix + '*');
			if (keys.length) await redis.del(...keys);
			redis.disconnect();
		}
	}
	return rows;
}

function printTable(rows) {
	const head = ['configuration', 'C', '1st token p50/p99', 'whole reply p50/p99', 'failed', 'CPU ms/reply'];
	const body = rows.map((r) => [
		r.config,
		String(r.streams),
		`${r.firstP50} / ${r.firstP99}`,
		`${r.doneP50} / ${r.doneP99}`,
		String(r.failed),
		String(r.cpuMsPerReply)
	]);
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
	console.log(line(head));
	console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
	for (const b of body) console.log(line(b));
}

async function main() {
	if (!fs.existsSync(path.join(ROOT, 'build', 'index.js'))) {
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0) throw new Error('build failed');
	}
	// A private copy of the build, so a concurrent rebuild cannot swap files under the app.
	fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
	fs.cpSync(path.join(ROOT, 'build'), path.join(SNAPSHOT_DIR, 'build'), { recursive: true });
	fs.symlinkSync(path.join(ROOT, 'drizzle'), path.join(SNAPSHOT_DIR, 'drizzle'));
	const mock = await startMock();
	const rows = [];
	try {
		for (const config of CONFIGS) {
			log(`${config.label}: streams ${CONCURRENCY.join(', ')}`);
			rows.push(...(await measure(config, mock)));
		}
	} finally {
		await mock.close();
		fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
		agent.destroy();
	}
	console.log('\nStreaming through `npm start` (mock: first token 300 ms, 200 tokens 5 ms apart; ms):\n');
	printTable(rows);
	console.log(
		'\nCPU ms/reply sums every process of the app (launcher and workers). On a machine whose cores are\n' +
			"shared with other work, latency is mostly the neighbours'; CPU per reply is the steadier figure."
	);
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	fs.writeFileSync(
		path.join(RESULTS_DIR, 'workers.json'),
		JSON.stringify({ when: new Date().toISOString(), mock: MOCK_OPTIONS, rows }, null, 2)
	);
}

main().catch((e) => {
	console.error(e);
	fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
	process.exit(1);
});
