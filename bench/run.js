#!/usr/bin/env node
// OreAI benchmarks (`npm run bench`). Not part of the tests. See bench/README.md.
//
// Everything talks to 127.0.0.1 only; every loop is bounded. Starts the mock upstream and
// a snapshot of the built app on a fresh MySQL database, measures streaming latency under
// concurrency, wire weight of the pages in a phone-sized Chromium and the TTFB of a long
// chat, prints a table and writes bench/results/latest.json. Cleans up on success, error
// and Ctrl-C.

import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { Worker } from 'node:worker_threads';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SNAPSHOT_DIR = path.join(RESULTS_DIR, `.app-build-${process.pid}`);
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const CHROMIUM = '/usr/bin/chromium';

// BENCH_STREAMS=50,500 and BENCH_ONLY=streaming,wire,chat narrow a run while working on one figure.
const CONCURRENCY = (process.env.BENCH_STREAMS ?? '1,50,200,500').split(',').map(Number);
const ONLY = process.env.BENCH_ONLY?.split(',');
const runs = (name) => !ONLY || ONLY.includes(name);
// The issue's scenario: first token at 300 ms, then 200 tokens 5 ms apart (≈ 1.3 s a reply).
const MOCK_OPTIONS = { ttftMs: 300, tokens: 200, delayMs: 5 };
const STREAM_TIMEOUT_MS = 60_000; // per stream; a stream past it counts as a failure
const SETUP_PARALLELISM = 16; // users/chats created this many at a time
const RSS_SAMPLE_MS = 50;
const LONG_CHAT_MESSAGES = 1000;
const TTFB_RUNS = 20;
const REQUEST_TIMEOUT_MS = 30_000;

const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (srv.address());
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

/** Nearest-rank percentile of a numeric array (null when empty). */
function pct(values, p) {
	if (!values.length) return null;
	const s = [...values].sort((a, b) => a - b);
	const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
	return s[i];
}
const round = (v, d = 1) => (v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d);
const stats = (values) => ({
	n: values.length,
	min: round(values.length ? Math.min(...values) : null),
	p50: round(pct(values, 50)),
	p95: round(pct(values, 95)),
	p99: round(pct(values, 99)),
	max: round(values.length ? Math.max(...values) : null)
});

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
	const out = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return out;
}

// Setup requests reuse connections; measured streams each open a fresh one (`agent: false`),
// as 500 different phones would.
const appAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const mockAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

/**
 * Plain request; resolves { status, headers, body (Buffer), ttfbMs, totalMs }.
 * Bytes are counted as they arrive on the wire (no decompression).
 */
function request(url, { method = 'GET', headers = {}, body, agent = appAgent, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const req = http.request(
			url,
			{
				method,
				agent,
				headers: {
					...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
					...headers
				}
			},
			(res) => {
				const ttfbMs = performance.now() - t0;
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						headers: res.headers,
						body: Buffer.concat(chunks),
						ttfbMs,
						totalMs: performance.now() - t0
					})
				);
				res.on('error', reject);
			}
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
		req.on('error', reject);
		req.end(data);
	});
}

/**
 * Opens one SSE stream and times it. `onBlock(block, mark)` is called for each
 * "\n\n"-separated block; it calls mark('first') / mark('done') / mark('error', kind).
 */
function timedStream(url, { headers = {}, body, agent }, onBlock) {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const result = { ok: false, status: 0, firstMs: null, doneMs: null, failure: null };
		let settled = false;
		const finish = (failure) => {
			if (settled) return;
			settled = true;
			if (failure && !result.failure) result.failure = failure;
			result.ok = !result.failure && result.doneMs !== null && result.firstMs !== null;
			if (!result.ok && !result.failure) result.failure = result.doneMs === null ? 'no_done' : 'no_delta';
			resolve(result);
		};
		const data = Buffer.from(JSON.stringify(body));
		const req = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: {
					'content-type': 'application/json',
					'content-length': data.length,
					accept: 'text/event-stream',
					...headers
				}
			},
			(res) => {
				result.status = res.statusCode ?? 0;
				if (res.statusCode !== 200) {
					res.resume();
					res.on('end', () => finish(`http_${res.statusCode}`));
					res.on('error', () => finish(`http_${res.statusCode}`));
					return;
				}
				res.setEncoding('utf8');
				let buf = '';
				const mark = (what, kind) => {
					const t = performance.now() - t0;
					if (what === 'first' && result.firstMs === null) result.firstMs = t;
					else if (what === 'done' && result.doneMs === null) result.doneMs = t;
					else if (what === 'error' && !result.failure) result.failure = kind;
				};
				res.on('data', (chunk) => {
					buf += chunk;
					let i;
					while ((i = buf.indexOf('\n\n')) >= 0) {
						const block = buf.slice(0, i);
						buf = buf.slice(i + 2);
						if (block.trim()) onBlock(block, mark);
					}
				});
				res.on('end', () => finish(null));
				res.on('error', (e) => finish(`socket_${e.code ?? 'error'}`));
				res.on('aborted', () => finish('aborted'));
			}
		);
		req.setTimeout(STREAM_TIMEOUT_MS, () => {
			finish('timeout');
			req.destroy();
		});
		req.on('error', (e) => finish(`socket_${e.code ?? e.message}`));
		req.end(data);
	});
}

/** App SSE: `event: X\ndata: {...}`. */
function appBlock(block, mark) {
	let event = 'message';
	let data = '';
	for (const line of block.split('\n')) {
		if (line.startsWith('event:')) event = line.slice(6).trim();
		else if (line.startsWith('data:')) data += line.slice(5).trim();
	}
	if (event === 'delta') mark('first');
	else if (event === 'done') mark('done');
	else if (event === 'error') {
		let code = 'unknown';
		try {
			code = JSON.parse(data).code ?? code;
		} catch {
			// a non-JSON error body keeps the generic code
		}
		mark('error', `sse_error_${code}`);
	}
}

/** OpenAI SSE: `data: {...}` … `data: [DONE]`; first token = first chunk with content. */
function mockBlock(block, mark) {
	for (const line of block.split('\n')) {
		if (!line.startsWith('data:')) continue;
		const data = line.slice(5).trim();
		if (data === '[DONE]') {
			mark('done');
			continue;
		}
		try {
			const j = JSON.parse(data);
			if (j.error) mark('error', `upstream_${j.error.code ?? 'error'}`);
			if (j.choices?.[0]?.delta?.content) mark('first');
		} catch {
			mark('error', 'bad_json');
		}
	}
}

function summarize(results) {
	const ok = results.filter((r) => r.ok);
	const failures = {};
	for (const r of results) if (!r.ok) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
	return {
		streams: results.length,
		ok: ok.length,
		failed: results.length - ok.length,
		failures,
		firstTokenMs: stats(ok.map((r) => r.firstMs)),
		doneMs: stats(ok.map((r) => r.doneMs))
	};
}

// ---------------------------------------------------------------------------
// RSS sampler (reads /proc/<pid>/status)
// ---------------------------------------------------------------------------

function readProcStatus(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => {
			const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
			return m ? Number(m[1]) : null;
		};
		return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
	} catch {
		return { rssKb: null, hwmKb: null };
	}
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
	} catch {
		return null;
	}
}

/** Machine-wide CPU ticks from /proc/stat: { busy, total } over all cores. */
function machineTicks() {
	try {
		const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
		const v = line.trim().split(/\s+/).slice(1).map(Number);
		const idle = v[3] + (v[4] || 0); // idle + iowait
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // without guest (counted in user)
		return { busy: total - idle, total };
	} catch {
		return null;
	}
}

// BENCH_WAIT_QUIET=<seconds>: on a shared machine, before the run and before each C's app
// streams, wait until the machine (app idle) uses < 30 % of a core for 3 s in a row — at most
// that many seconds in total over the run.
const quietBudgetMs = Number(process.env.BENCH_WAIT_QUIET || 0) * 1000;
let quietSpentMs = 0;
const quietWaits = [];
async function waitForQuiet(label) {
	if (quietBudgetMs <= 0) return;
	const t0 = Date.now();
	let quiet = 0;
	let last = null;
	while (quiet < 3 && quietSpentMs + (Date.now() - t0) < quietBudgetMs) {
		const m0 = machineTicks();
		await sleep(1000);
		const m1 = machineTicks();
		last = round(((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length * 100, 0);
		quiet = last < 30 ? quiet + 1 : 0;
	}
	const waited = Date.now() - t0;
	quietSpentMs += waited;
	quietWaits.push({ label, waitedS: round(waited / 1000, 0), quiet: quiet >= 3, lastBusyPct: last });
	if (quiet < 3) log(`${label}: machine still busy (${last} % of a core); quiet-wait budget used up, measuring anyway`);
	else if (waited > 3500) log(`${label}: waited ${round(waited / 1000, 0)} s for a quiet machine`);
}

/** The local MariaDB/MySQL server's pid, if it runs on this machine (to report its CPU). */
function findDbServerPid() {
	try {
		for (const d of fs.readdirSync('/proc')) {
			if (!/^\d+$/.test(d)) continue;
			try {
				const comm = fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim();
				if (comm === 'mariadbd' || comm === 'mysqld') return Number(d);
			} catch {
				// the process ended while we looked
			}
		}
	} catch {
		// no /proc here: no database RSS to report
	}
	return null;
}

/**
 * CPU use over a phase, as % of one core: the app process, the DB server, the bench's
 * own main thread (event-loop utilisation) and the mock's thread.
 */
function cpuMeter(appPid, dbPid, mock) {
	const t0 = performance.now();
	const app0 = cpuSeconds(appPid);
	const db0 = dbPid ? cpuSeconds(dbPid) : null;
	const self0 = process.cpuUsage();
	const elu0 = performance.eventLoopUtilization();
	const mockElu0 = mock.elu();
	const m0 = machineTicks();
	return () => {
		const m1 = machineTicks();
		const wall = (performance.now() - t0) / 1000;
		const per = (a, b) => (a === null || b === null || !wall ? null : round(((b - a) / wall) * 100, 0));
		const self = process.cpuUsage(self0);
		const machinePct =
			m0 && m1 && m1.total > m0.total
				? round(((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length * 100, 0)
				: null;
		const appPct = per(app0, cpuSeconds(appPid));
		const dbPct = db0 === null ? null : per(db0, cpuSeconds(dbPid));
		const benchPct = round(((self.user + self.system) / 1e6 / wall) * 100, 0);
		return {
			machineBusyPct: machinePct,
			// Everything else on the machine (other test runs, browsers…): noise for these figures.
			otherPct: machinePct === null ? null : Math.max(0, machinePct - (appPct ?? 0) - (dbPct ?? 0) - benchPct),
			wallS: round(wall, 2),
			appCpuPct: appPct,
			appCpuS: app0 === null ? null : round(cpuSeconds(appPid) - app0, 2),
			dbCpuPct: dbPct,
			benchProcessCpuPct: benchPct,
			benchLoopUtilPct: round(performance.eventLoopUtilization(elu0).utilization * 100, 0),
			mockLoopUtilPct: round(mock.elu(mockElu0).utilization * 100, 0)
		};
	};
}

function startRssSampler(pid) {
	let windowPeak = 0;
	let samples = 0;
	const timer = setInterval(() => {
		const { rssKb } = readProcStatus(pid);
		if (rssKb !== null) {
			samples++;
			if (rssKb > windowPeak) windowPeak = rssKb;
		}
	}, RSS_SAMPLE_MS);
	return {
		/** Peak since the last reset, in MB; starts a new window. */
		takePeak() {
			const { rssKb } = readProcStatus(pid);
			const peak = Math.max(windowPeak, rssKb ?? 0);
			windowPeak = rssKb ?? 0;
			return round(peak / 1024);
		},
		samples: () => samples,
		stop: () => clearInterval(timer)
	};
}

// ---------------------------------------------------------------------------
// environment: build, mock, database, app
// ---------------------------------------------------------------------------

const cleanups = [];
let cleaning = null;
function cleanup() {
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

function ensureBuild() {
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
function startMock(options) {
	const worker = new Worker(new URL('./mock-worker.js', import.meta.url), { workerData: options });
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

async function createDatabase() {
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

async function startApp(dbUrl, mockUrl) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	// BENCH_CPU_PROF=1 writes a V8 CPU profile of the app to bench/results/prof/ (open it in
	// Chrome DevTools → Performance). It slows the app down: figures from such a run are not comparable.
	const profArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(RESULTS_DIR, 'prof')] : [];
	const proc = spawn(process.execPath, [...profArgs, SNAPSHOT_DIR], {
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
			REGISTER_LIMIT: '100000'
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
			const res = await request(`${url}/manifest.webmanifest`, { timeoutMs: 2000 });
			if (res.status < 500) break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) throw new Error(`app did not answer within 60 s:\n${output}`);
		await sleep(100);
	}
	return { url, proc, startMs: round(performance.now() - t0, 0), logs: () => output };
}

// ---------------------------------------------------------------------------
// app clients
// ---------------------------------------------------------------------------

/** New anonymous visitor: GET / without a cookie → oreai_session. */
async function newVisitor(appUrl) {
	const res = await request(`${appUrl}/`, { headers: { accept: 'text/html' } });
	if (res.status !== 200) throw new Error(`GET / answered ${res.status}: ${res.body.toString().slice(0, 200)}`);
	const cookies = [].concat(res.headers['set-cookie'] ?? []);
	const session = cookies.map((c) => c.match(/^oreai_session=([^;]+)/)?.[1]).find(Boolean);
	if (!session) throw new Error('GET / did not set oreai_session');
	return { cookie: `oreai_session=${session}`, session };
}

async function createChat(appUrl, visitor) {
	const res = await request(`${appUrl}/api/trpc/chats.create`, {
		method: 'POST',
		headers: { cookie: visitor.cookie, origin: appUrl },
		body: {}
	});
	const text = res.body.toString();
	if (res.status !== 200) throw new Error(`chats.create answered ${res.status}: ${text.slice(0, 200)}`);
	const id = JSON.parse(text)?.result?.data?.id;
	if (!id) throw new Error(`chats.create returned no id: ${text.slice(0, 200)}`);
	return id;
}

async function newUserWithChat(appUrl) {
	const visitor = await newVisitor(appUrl);
	const chatId = await createChat(appUrl, visitor);
	return { ...visitor, chatId };
}

function appStream(appUrl, user) {
	return timedStream(
		`${appUrl}/api/chats/${user.chatId}/messages`,
		{ headers: { cookie: user.cookie, origin: appUrl }, body: { content: 'hello' }, agent: false },
		appBlock
	);
}

function mockStream(mockUrl) {
	return timedStream(
		`${mockUrl}/chat/completions`,
		{
			headers: { authorization: 'Bearer bench' },
			body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hello' }] },
			agent: false
		},
		mockBlock
	);
}

// ---------------------------------------------------------------------------
// 3. streaming load
// ---------------------------------------------------------------------------

/** Phase boundaries on the monotonic clock (µs), to slice a BENCH_CPU_PROF profile. */
const phaseMarks = [];

async function streamingLoad(app, mock, rss, dbUrl) {
	const dbPid = findDbServerPid();
	// Warm-up (not measured): one stream each way, so C=1 is not a cold-JIT figure.
	const warm = await newUserWithChat(app.url);
	await appStream(app.url, warm);
	await mockStream(mock.url);

	const rows = [];
	/** @type {Record<number, any[]>} */
	const usersByC = {};
	for (const c of CONCURRENCY) {
		log(`C=${c}: creating ${c} users and chats`);
		const ts = performance.now();
		const users = await pool(Array.from({ length: c }), SETUP_PARALLELISM, () => newUserWithChat(app.url));
		usersByC[c] = users;
		const setupMs = round(performance.now() - ts, 0);
		await sleep(300);

		log(`C=${c}: ${c} concurrent app streams`);
		rss.takePeak(); // new window
		const baseRssMb = round((readProcStatus(app.proc.pid).rssKb ?? 0) / 1024);
		await waitForQuiet(`C=${c}`);
		await mock.clearRequests();
		await mock.peak(); // new window
		const phaseStartEpoch = Date.now();
		const phaseMark = { name: `app C=${c}`, startUs: Number(process.hrtime.bigint() / 1000n) };
		const ta = performance.now();
		const appCpu = cpuMeter(app.proc.pid, dbPid, mock);
		const appResults = await Promise.all(users.map((u) => appStream(app.url, u)));
		const appWallMs = round(performance.now() - ta, 0);
		const appPhaseCpu = appCpu();
		const mockPeakDuringApp = await mock.peak();
		phaseMark.endUs = Number(process.hrtime.bigint() / 1000n);
		phaseMarks.push(phaseMark);
		// When the app's upstream calls reached the mock, from the moment the C requests were
		// sent: the app's own work before the model call (session, DB writes, token counting).
		// Then let the app's follow-up calls (non-streaming chat titles) finish before the
		// mock-only phase: until the mock is idle and its request count stable for 1 s (≤ 20 s).
		const settleUntil = Date.now() + 20_000;
		let seen = -1;
		for (let stable = 0; stable < 4 && Date.now() < settleUntil;) {
			await sleep(250);
			const st = await mock.stats();
			stable = st.requests === seen && st.activeStreams === 0 ? stable + 1 : 0;
			seen = st.requests;
		}
		const upstream = await mock.requests();
		const upstreamArrivalMs = upstream.filter((r) => r.stream).map((r) => r.time - phaseStartEpoch);
		const otherUpstreamCalls = upstream.filter((r) => !r.stream).length;
		if (upstream.length >= 1000)
			log(`C=${c}: the mock keeps only its last 1000 requests: →upstream figures may miss the earliest`);
		const peakRssMb = rss.takePeak();
		await sleep(300);

		log(`C=${c}: ${c} concurrent streams straight to the mock`);
		await mock.peak(); // new window
		const tm = performance.now();
		const mockCpu = cpuMeter(app.proc.pid, dbPid, mock);
		const mockResults = await Promise.all(users.map(() => mockStream(mock.url)));
		const mockWallMs = round(performance.now() - tm, 0);
		const mockPhaseCpu = mockCpu();
		const mockPeakAlone = await mock.peak();
		await sleep(300);

		const a = summarize(appResults);
		const m = summarize(mockResults);
		const diff = (x, y) => (x === null || y === null ? null : round(x - y));
		rows.push({
			concurrency: c,
			setupMs,
			app: { ...a, wallMs: appWallMs, cpu: appPhaseCpu },
			mock: { ...m, wallMs: mockWallMs, cpu: mockPhaseCpu },
			appToUpstreamMs: stats(upstreamArrivalMs),
			// Most streams the mock served at once: C when nothing in the app holds sends back.
			mockConcurrentMax: { duringApp: mockPeakDuringApp, alone: mockPeakAlone },
			// Non-streaming upstream calls the app made during/after this phase (chat titles).
			appOtherUpstreamCalls: otherUpstreamCalls,
			// App CPU time per stream (setup + relaying 50 deltas): the least noisy cost figure.
			appCpuMsPerStream: appPhaseCpu.appCpuS === null ? null : round((appPhaseCpu.appCpuS * 1000) / c, 1),
			addedFirstTokenMs: {
				p50: diff(a.firstTokenMs.p50, m.firstTokenMs.p50),
				p99: diff(a.firstTokenMs.p99, m.firstTokenMs.p99)
			},
			addedDoneMs: { p50: diff(a.doneMs.p50, m.doneMs.p50), p99: diff(a.doneMs.p99, m.doneMs.p99) },
			// Whole-reply time through the app as a multiple of the mock's own.
			doneVsMock: {
				p50: a.doneMs.p50 && m.doneMs.p50 ? round(a.doneMs.p50 / m.doneMs.p50, 2) : null,
				p99: a.doneMs.p99 && m.doneMs.p99 ? round(a.doneMs.p99 / m.doneMs.p99, 2) : null
			},
			appRssMb: { beforeStreams: baseRssMb, peakDuringStreams: peakRssMb }
		});
	}

	// Sanity check: what the app stored for all those replies.
	const conn = await mysql.createConnection(dbUrl);
	let stored;
	try {
		const [byStatus] = await conn.query(
			"SELECT status, COUNT(*) AS n, AVG(CHAR_LENGTH(content)) AS avgChars FROM message WHERE role = 'assistant' AND chat_id IN (SELECT id FROM chat WHERE prompt_slug IS NULL) GROUP BY status"
		);
		stored = byStatus.map((r) => ({ status: r.status, n: Number(r.n), avgChars: round(Number(r.avgChars), 0) }));
	} finally {
		await conn.end();
	}
	return { rows, usersByC, stored, phaseMarks };
}

// ---------------------------------------------------------------------------
// 4. wire weight (Chromium, phone viewport)
// ---------------------------------------------------------------------------

function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return;
	log('chromium missing: apt-get install -y chromium');
	const r = spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit' });
	if (r.status !== 0 || !fs.existsSync(CHROMIUM)) throw new Error('could not install chromium');
}

/** Raw (still compressed) size of a URL as the server sends it for `accept-encoding: br, gzip`. */
async function compressedSize(url) {
	const res = await request(url, { headers: { 'accept-encoding': 'br, gzip' } });
	return { bytes: res.body.length, encoding: res.headers['content-encoding'] ?? 'identity' };
}

async function wireWeight(appUrl, chatUser) {
	ensureChromium();
	const { chromium } = await import('playwright-core');
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
	// Closing a browser that already crashed rejects; the other cleanups still run.
	cleanups.push(() => browser.close().catch(() => undefined));
	const pages = [
		{ name: '/', path: '/' },
		{ name: '/discover', path: '/discover' },
		{ name: '/me', path: '/me' },
		{ name: '/chat/<id>', path: `/chat/${chatUser.chatId}`, session: chatUser.session }
	];
	const out = [];
	try {
		for (const p of pages) {
			const context = await browser.newContext({
				viewport: { width: 390, height: 844 },
				screen: { width: 390, height: 844 },
				deviceScaleFactor: 3,
				isMobile: true,
				hasTouch: true,
				extraHTTPHeaders: { 'accept-encoding': 'br, gzip' }
			});
			try {
				if (p.session) await context.addCookies([{ name: 'oreai_session', value: p.session, url: appUrl }]);
				const page = await context.newPage();
				const responses = [];
				page.on('response', (r) => responses.push(r));
				const t0 = performance.now();
				const main = await page.goto(appUrl + p.path, { waitUntil: 'networkidle', timeout: 30_000 });
				const loadMs = round(performance.now() - t0, 0);
				if (!main || main.status() !== 200) throw new Error(`${p.path} answered ${main?.status()}`);
				const entry = {
					page: p.name,
					status: main.status(),
					loadMs,
					js: { files: 0, bytes: 0, decodedBytes: 0 },
					css: { files: 0, bytes: 0, decodedBytes: 0 },
					encodings: {},
					files: []
				};
				for (const r of responses) {
					const type = r.request().resourceType();
					const u = new URL(r.url());
					const kind =
						type === 'script' || u.pathname.endsWith('.js')
							? 'js'
							: type === 'stylesheet' || u.pathname.endsWith('.css')
								? 'css'
								: null;
					if (!kind || u.origin !== appUrl || r.status() !== 200) continue;
					const sizes = await r.request().sizes();
					const decoded = (await r.body().catch(() => Buffer.alloc(0))).length;
					const enc = (await r.allHeaders())['content-encoding'] ?? 'identity';
					// Browser-reported encoded body size; if Chromium did not get a compressed copy
					// (it may not advertise br over plain http), ask the server for the br/gzip copy.
					let bytes = sizes.responseBodySize;
					let via = `browser:${enc}`;
					if (enc === 'identity' || !bytes) {
						const c = await compressedSize(r.url());
						bytes = c.bytes;
						via = `node:${c.encoding}`;
					}
					entry[kind].files++;
					entry[kind].bytes += bytes;
					entry[kind].decodedBytes += decoded;
					entry.encodings[via] = (entry.encodings[via] ?? 0) + 1;
					entry.files.push({ path: u.pathname, kind, bytes, decodedBytes: decoded, via });
				}
				entry.js.kb = round(entry.js.bytes / 1024);
				entry.css.kb = round(entry.css.bytes / 1024);
				entry.js.decodedKb = round(entry.js.decodedBytes / 1024);
				entry.css.decodedKb = round(entry.css.decodedBytes / 1024);
				out.push(entry);
			} finally {
				await context.close();
			}
		}
	} finally {
		await browser.close();
	}
	return out;
}

// ---------------------------------------------------------------------------
// 5. TTFB of a long chat
// ---------------------------------------------------------------------------

function markdownMessage(i, role) {
	if (role === 'user') {
		return (
			`Question ${i}: how do I **paginate** a list in SQL without \`OFFSET\` getting slow? ` +
			`I have a table with a few million rows, an auto-increment id and a created_at column, ` +
			`and the page numbers in my app get slower the deeper you go. Is keyset pagination the answer, ` +
			`and how do I handle "previous page" links? Also, does it work with a composite sort key? (#${i})`
		).slice(0, 400);
	}
	return (
		`### Keyset pagination (${i})\n\n` +
		`Use the last seen key instead of \`OFFSET\`:\n\n` +
		'```sql\nSELECT id, title FROM item\nWHERE id < ?\nORDER BY id DESC\nLIMIT 50;\n```\n\n' +
		`- It stays **fast** at any depth: an index range scan.\n` +
		`- For *previous*, flip the comparison and the order, then reverse.\n` +
		`- Composite keys work: \`(created_at, id) < (?, ?)\`.\n\n` +
		`See [the docs](https://example.com/docs/${i}) for details.`
	).slice(0, 420);
}

/** A bench user whose chat holds `count` stored messages (inserted straight into MySQL). */
async function userWithMessages(appUrl, dbUrl, count) {
	const user = await newUserWithChat(appUrl);
	const conn = await mysql.createConnection(dbUrl);
	try {
		const [[row]] = await conn.query('SELECT user_id FROM chat WHERE id = ?', [user.chatId]);
		const rows = [];
		for (let i = 0; i < count; i++) {
			const role = i % 2 === 0 ? 'user' : 'assistant';
			rows.push([user.chatId, row.user_id, role, markdownMessage(i, role), 'complete']);
		}
		await conn.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);
		await conn.query('UPDATE chat SET title = ? WHERE id = ?', [`Bench: ${count} messages`, user.chatId]);
	} finally {
		await conn.end();
	}
	return user;
}

/**
 * Every page of the long chat once, newest first (the newest, then `?before=` cursors): 50
 * messages each that the server has never rendered, so no cache of rendered replies helps.
 */
async function coldPages(appUrl, dbUrl, user) {
	const conn = await mysql.createConnection(dbUrl);
	let ids;
	try {
		const [rows] = await conn.query('SELECT id FROM message WHERE chat_id = ? ORDER BY id DESC', [user.chatId]);
		ids = rows.map((r) => r.id);
	} finally {
		await conn.end();
	}
	const urls = [`${appUrl}/chat/${user.chatId}`];
	for (let i = 50; i < ids.length; i += 50) urls.push(`${appUrl}/chat/${user.chatId}?before=${ids[i - 1]}`);
	const total = [];
	for (const url of urls) {
		const res = await request(url, {
			headers: { cookie: user.cookie, accept: 'text/html', 'accept-encoding': 'identity' }
		});
		if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
		total.push(res.totalMs);
	}
	return {
		pages: urls.length,
		totalMs: { median: round(pct(total, 50)), p95: round(pct(total, 95)), max: round(Math.max(...total)) }
	};
}

async function longChatTtfb(appUrl, dbUrl) {
	const user = await userWithMessages(appUrl, dbUrl, LONG_CHAT_MESSAGES);
	const cold = await coldPages(appUrl, dbUrl, user);

	const measure = async (chatId, cookie) => {
		const pageUrl = `${appUrl}/chat/${chatId}`;
		await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } }); // warm-up
		const ttfb = [];
		const total = [];
		let htmlBytes = 0;
		let status = 0;
		for (let i = 0; i < TTFB_RUNS; i++) {
			const res = await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } });
			status = res.status;
			ttfb.push(res.ttfbMs);
			total.push(res.totalMs);
			htmlBytes = res.body.length;
		}
		// Same page compressed, as a browser would fetch it.
		const gz = await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'br, gzip' } });
		const htmlBuf = (
			await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } })
		).body;
		const html = htmlBuf.toString();
		// What the same HTML would weigh if the server compressed it (brotli quality 4, as a proxy would).
		const brIfCompressed = zlib.brotliCompressSync(htmlBuf, {
			params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 }
		}).length;
		const renderedMessages = (html.match(/<li[^>]*\sdata-role="(?:user|assistant)"/g) ?? []).length;
		return {
			status,
			runs: TTFB_RUNS,
			ttfbMs: {
				median: round(pct(ttfb, 50)),
				p95: round(pct(ttfb, 95)),
				min: round(Math.min(...ttfb)),
				max: round(Math.max(...ttfb))
			},
			totalMs: { median: round(pct(total, 50)), p95: round(pct(total, 95)) },
			htmlKb: round(htmlBytes / 1024),
			htmlCompressedKb: round(gz.body.length / 1024),
			htmlEncoding: gz.headers['content-encoding'] ?? 'identity',
			htmlKbIfBrotli: round(brIfCompressed / 1024),
			messageMarkersInHtml: renderedMessages
		};
	};

	const long = await measure(user.chatId, user.cookie);
	// Baselines: a chat with exactly one page of the same messages, and one with one exchange.
	const onePage = await userWithMessages(appUrl, dbUrl, 50);
	const page50 = await measure(onePage.chatId, onePage.cookie);
	const small = await newUserWithChat(appUrl);
	await appStream(appUrl, small);
	const baseline = await measure(small.chatId, small.cookie);
	return { messages: LONG_CHAT_MESSAGES, cold, long, fiftyMessages: page50, baselineOneExchange: baseline };
}

// ---------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------

function table(headers, rows) {
	const cells = [headers, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))));
	const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
	const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function printReport(r) {
	const out = [];
	const pair = (a, b) => `${a ?? '—'} / ${b ?? '—'}`;
	out.push('');
	out.push(
		`OreAI bench — ${r.startedAt} — node ${r.env.node}, ${r.env.cpus} CPU(s); each stream a new chat and a fresh connection; mock: first token ${MOCK_OPTIONS.ttftMs} ms, ${MOCK_OPTIONS.tokens} tokens ${MOCK_OPTIONS.delayMs} ms apart`
	);
	if (r.streaming) {
		out.push('');
		out.push('Times in ms from sending the request; p50 / p99. "added" = OreAI − mock alone at that percentile.');
		out.push(
			table(
				[
					'streams',
					'mock alone 1st token',
					'OreAI 1st token',
					'added',
					'mock alone whole reply',
					'OreAI whole reply',
					'× mock',
					'failed OreAI / mock',
					'mock max at once (OreAI / alone)',
					'peak RSS MB',
					'CPU ms/stream'
				],
				r.streaming.rows.map((x) => [
					x.concurrency,
					pair(x.mock.firstTokenMs.p50, x.mock.firstTokenMs.p99),
					pair(x.app.firstTokenMs.p50, x.app.firstTokenMs.p99),
					pair(x.addedFirstTokenMs.p50, x.addedFirstTokenMs.p99),
					pair(x.mock.doneMs.p50, x.mock.doneMs.p99),
					pair(x.app.doneMs.p50, x.app.doneMs.p99),
					pair(x.doneVsMock.p50, x.doneVsMock.p99),
					`${x.app.failed} / ${x.mock.failed}`,
					pair(x.mockConcurrentMax.duringApp, x.mockConcurrentMax.alone),
					x.appRssMb.peakDuringStreams,
					x.appCpuMsPerStream
				])
			)
		);
		for (const x of r.streaming.rows) {
			if (x.app.failed) out.push(`  C=${x.concurrency} OreAI failures: ${JSON.stringify(x.app.failures)}`);
			if (x.mock.failed) out.push(`  C=${x.concurrency} mock failures: ${JSON.stringify(x.mock.failures)}`);
		}
		const busy = r.streaming.rows.filter((x) => (x.app.cpu.otherPct ?? 0) > 25 || (x.mock.cpu.otherPct ?? 0) > 25);
		if (busy.length) {
			out.push(
				`  ! other processes used > 25% of a core during C=${busy.map((x) => x.concurrency).join(', ')}: latency figures there are noisy; rerun on a quiet machine.`
			);
		}
		out.push(
			`  upstream calls per reply: ${r.streaming.rows.map((x) => `${x.concurrency}→${round((x.app.streams + x.appOtherUpstreamCalls) / x.app.streams, 2)} (${x.appOtherUpstreamCalls} title calls)`).join(', ')}`
		);
		out.push(
			`  OreAI's model call reached the mock after (p50 / p99 ms): ${r.streaming.rows.map((x) => `${x.concurrency}→${pair(x.appToUpstreamMs.p50, x.appToUpstreamMs.p99)}`).join(', ')}`
		);
		out.push(
			`  stored replies: ${r.streaming.stored.map((s) => `${s.status}=${s.n} (avg ${s.avgChars} chars)`).join(', ')}; load average ${r.env.loadAvgStart.join(' ')} → ${r.env.loadAvgEnd?.join(' ')}`
		);
	}
	out.push('');
	if (r.rss)
		out.push(`Idle RSS after start: ${r.rss.idleAfterStartMb} MB (peak over the whole run ${r.rss.vmHwmMb} MB)`);
	if (r.wire) {
		const w = (name) => r.wire.find((x) => x.page === name);
		out.push(
			`Cold JS, compressed (first visit at 390×844): ${['/chat/<id>', '/', '/discover', '/me']
				.map((n) => w(n) && `${n} ${w(n).js.kb} KB (${w(n).js.files} files)`)
				.filter(Boolean)
				.join(', ')}; CSS ${w('/')?.css.kb} KB`
		);
	}
	if (r.chatTtfb) {
		const { cold, long, fiftyMessages: f, baselineOneExchange: b } = r.chatTtfb;
		out.push(
			`Chat page with ${r.chatTtfb.messages} different messages, server time (whole response, ms): ${cold.pages} pages never rendered before p95 ${cold.totalMs.p95} (median ${cold.totalMs.median}); newest page viewed ${long.runs}× p95 ${long.totalMs.p95} (median ${long.totalMs.median}); HTML ${long.htmlKb} KB, ${long.htmlCompressedKb} KB ${long.htmlEncoding}`
		);
		out.push(`  baselines: 50-message chat p95 ${f.totalMs.p95}, one-exchange chat p95 ${b.totalMs.p95}`);
	}
	if (r.errors.length) {
		out.push('');
		out.push('Errors:');
		for (const e of r.errors) out.push(`  ${e.section}: ${e.message}`);
	}
	out.push('');
	console.log(out.join('\n'));
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

async function main() {
	const started = performance.now();
	const report = {
		startedAt: new Date().toISOString(),
		env: {
			loadAvgStart: os.loadavg().map((v) => round(v, 2)),
			loadAvgEnd: null,
			node: process.version,
			cpus: os.cpus().length,
			platform: `${os.platform()} ${os.release()}`,
			memGb: round(os.totalmem() / 2 ** 30)
		},
		config: {
			concurrency: CONCURRENCY,
			mock: MOCK_OPTIONS,
			streamTimeoutMs: STREAM_TIMEOUT_MS,
			rssSampleMs: RSS_SAMPLE_MS,
			ttfbRuns: TTFB_RUNS
		},
		build: null,
		appStartMs: null,
		streaming: null,
		rss: null,
		wire: null,
		chatTtfb: null,
		errors: [],
		durationS: null
	};

	report.build = ensureBuild();
	const mock = await startMock(MOCK_OPTIONS);
	cleanups.push(() => mock.close());
	const db = await createDatabase();
	log(`database ${db.name}, mock ${mock.url}`);
	const app = await startApp(db.url, mock.url);
	report.appStartMs = app.startMs;
	log(`app up at ${app.url} (pid ${app.proc.pid}) after ${app.startMs} ms`);
	await sleep(500);
	const idle = readProcStatus(app.proc.pid);
	const rss = startRssSampler(app.proc.pid);
	cleanups.push(() => rss.stop());

	report.env.quietWaits = quietWaits;
	await waitForQuiet('start');

	const section = async (name, fn) => {
		try {
			return await fn();
		} catch (e) {
			console.error(`[bench] ${name} failed:`, e);
			report.errors.push({ section: name, message: String(e?.message ?? e).slice(0, 2000) });
			return null;
		}
	};

	const streaming = runs('streaming') ? await section('streaming', () => streamingLoad(app, mock, rss, db.url)) : null;
	if (streaming)
		report.streaming = { rows: streaming.rows, stored: streaming.stored, phaseMarks: streaming.phaseMarks };

	const chatUser = streaming?.usersByC[1]?.[0] ?? (await section('wire setup', () => newUserWithChat(app.url)));
	if (chatUser && runs('wire')) {
		log('wire weight (Chromium, 390×844)');
		report.wire = await section('wire', () => wireWeight(app.url, chatUser));
	}

	log(`TTFB of /chat/<id> with ${LONG_CHAT_MESSAGES} messages`);
	if (runs('chat')) report.chatTtfb = await section('chatTtfb', () => longChatTtfb(app.url, db.url));

	const end = readProcStatus(app.proc.pid);
	rss.stop();
	report.rss = {
		idleAfterStartMb: round((idle.rssKb ?? 0) / 1024),
		vmHwmMb: round((end.hwmKb ?? 0) / 1024),
		endMb: round((end.rssKb ?? 0) / 1024),
		samples: rss.samples()
	};
	const appLogs = app.logs().trim();
	if (appLogs) report.appLogTail = appLogs.slice(-4000);
	report.env.loadAvgEnd = os.loadavg().map((v) => round(v, 2));
	report.durationS = round((performance.now() - started) / 1000);

	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
	printReport(report);
	if (appLogs) console.log(`app output (last lines):\n${appLogs.split('\n').slice(-15).join('\n')}\n`);
	log(`wrote bench/results/latest.json (${report.durationS} s)`);
	return report.errors.length ? 1 : 0;
}

let code = 1;
try {
	code = await main();
} catch (e) {
	console.error('[bench] failed:', e);
} finally {
	appAgent.destroy();
	mockAgent.destroy();
	await cleanup();
}
process.exit(code);
