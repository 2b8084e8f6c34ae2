// Streaming latency, throughput and memory at each concurrency level, against the app and the bare mock.
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { appStream, mockStream, newUserWithChat } from './clients.js';
import { CONCURRENCY, SETUP_PARALLELISM, log } from './config.js';
import { summarize } from './http-client.js';
import { cpuMeter, findDbServerPid, readProcStatus, waitForQuiet } from './proc.js';
import { pool, round, sleep, stats } from './util.js';

/** Phase boundaries on the monotonic clock (µs), to slice a BENCH_CPU_PROF profile. */
const phaseMarks = [];

export async function streamingLoad(app, mock, rss, dbUrl) {
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
