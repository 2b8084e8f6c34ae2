#!/usr/bin/env node
// OreAI benchmarks (`npm run bench`). Not part of the tests. See bench/README.md.
//
// Everything talks to 127.0.0.1 only; every loop is bounded. Starts the mock upstream and
// a snapshot of the built app on a fresh MySQL database, measures streaming latency under
// concurrency, wire weight of the pages in a phone-sized Chromium and the TTFB of a long
// chat, prints a table and writes bench/results/latest.json. Cleans up on success, error
// and Ctrl-C. Each part lives in bench/lib/ (settings, environment, scenarios, report).

import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { longChatTtfb } from './lib/chat-ttfb.js';
import { newUserWithChat } from './lib/clients.js';
import {
	CONCURRENCY,
	FLOOR,
	LONG_CHAT_MESSAGES,
	MOCK_OPTIONS,
	RESULTS_DIR,
	RSS_SAMPLE_MS,
	STREAM_TIMEOUT_MS,
	TTFB_RUNS,
	log,
	runs
} from './lib/config.js';
import { cleanup, cleanups, createDatabase, ensureBuild, startApp, startMock } from './lib/environment.js';
import { appAgent, mockAgent } from './lib/http-client.js';
import { quietWaits, readProcStatus, startRssSampler, waitForQuiet } from './lib/proc.js';
import { printReport } from './lib/report.js';
import { streamingLoad } from './lib/streaming.js';
import { round, sleep } from './lib/util.js';
import { wireWeight } from './lib/wire.js';

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

	report.build = FLOOR ? null : ensureBuild();
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
	const resultFile = FLOOR ? 'latest-floor.json' : 'latest.json';
	fs.writeFileSync(path.join(RESULTS_DIR, resultFile), JSON.stringify(report, null, 2) + '\n');
	printReport(report);
	if (appLogs) console.log(`app output (last lines):\n${appLogs.split('\n').slice(-15).join('\n')}\n`);
	log(`wrote bench/results/${resultFile} (${report.durationS} s)`);
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
