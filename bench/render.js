#!/usr/bin/env node
// Rendering a long streamed reply (part of `npm run bench`). Two measurements:
// 1. In Node: the cost of turning a 4,000-token reply into HTML as it streams, re-parsing
//    the whole text per delta versus the page's incremental renderer (same module).
// 2. In Chromium at a phone viewport with the CPU slowed 4×: a 4,000-token reply streams
//    from the mock into the real chat page; long tasks and frame gaps are recorded.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { chromium } from 'playwright-core';
import { tsImport } from 'tsx/esm/api';
import { generateReplyTokens } from '#mock-upstream';
import { startMockServer } from '#mock-upstream/server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKENS = 4000;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

// --- 1. parse cost per strategy -------------------------------------------------------
const md = await tsImport('../src/lib/markdown.ts', import.meta.url);
const deltas = generateReplyTokens('Explain how event loops work, with code', TOKENS);
function measure(render) {
	let text = '';
	const t0 = performance.now();
	let worst = 0;
	for (const d of deltas) {
		text += d;
		const s = performance.now();
		render(text);
		worst = Math.max(worst, performance.now() - s);
	}
	return { totalMs: performance.now() - t0, worstDeltaMs: worst };
}
// Both strategies see every delta; the page additionally coalesces deltas per frame.
const full = measure((t) => md.renderMarkdown(t));
const incremental = measure(md.createStreamRenderer());
const textChars = deltas.join('').length;

// --- 2. the real page in Chromium -----------------------------------------------------
const freePort = () =>
	new Promise((r) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => r(port));
		});
	});
const dbName = `oreai_bench_render_${process.pid}`;
const mock = await startMockServer({ ttftMs: 100 });
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const app = spawn(process.execPath, ['build'], {
	cwd: ROOT,
	env: {
		PATH: process.env.PATH,
		DATABASE_URL: `mysql://root@127.0.0.1:3306/${dbName}`,
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: url,
		OPENAI_BASE_URL: mock.url,
		OPENAI_API_KEY: 'bench',
		MAX_REPLY_TOKENS: '8000'
	},
	stdio: 'ignore'
});
let browser;
let page_ = {};
try {
	for (let i = 0; i < 300; i++) {
		try {
			// Ready, not just listening: pages answer 503 until the database is.
			if ((await fetch(url + '/readyz')).ok) break;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await page.goto(url + '/discover');
	await page.getByRole('button', { name: /Blank chat/ }).click();
	await page.waitForURL('**/chat/*');
	await page.waitForLoadState('networkidle');
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
	await page.evaluate(() => {
		const w = window;
		w.__long = [];
		new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration))).observe({
			type: 'longtask',
			buffered: false
		});
		w.__frames = [];
		let last = performance.now();
		const tick = (t) => {
			w.__frames.push(t - last);
			last = t;
			if (!w.__stopFrames) requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	});
	await page.locator('#content').fill(`Explain event loops [[mock:{"tokens":${TOKENS},"delayMs":3}]]`);
	const t0 = Date.now();
	await page.getByTestId('send').click();
	await page.locator('li[data-role=assistant][data-status=complete]').waitFor({ timeout: 180_000 });
	const wallMs = Date.now() - t0;
	const m = await page.evaluate(() => {
		window.__stopFrames = true;
		return { long: window.__long, frames: window.__frames };
	});
	page_ = {
		wallMs,
		longTasks: m.long.length,
		longestTaskMs: Math.round(Math.max(0, ...m.long)),
		framesP50Ms: Math.round(pct(m.frames, 50)),
		framesP95Ms: Math.round(pct(m.frames, 95)),
		framesOver100Ms: m.frames.filter((f) => f > 100).length,
		frames: m.frames.length
	};
} finally {
	await browser?.close();
	app.kill('SIGTERM');
	await new Promise((r) => app.once('exit', r));
	await mock.close();
	const c = await mysql.createConnection('mysql://root@127.0.0.1:3306');
	await c.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
	await c.end();
}

const result = {
	reply: { tokens: TOKENS, chars: textChars },
	nodeParse: {
		fullReparsePerDelta: { totalMs: Math.round(full.totalMs), worstDeltaMs: +full.worstDeltaMs.toFixed(1) },
		incremental: { totalMs: Math.round(incremental.totalMs), worstDeltaMs: +incremental.worstDeltaMs.toFixed(1) }
	},
	chromiumPhoneCpu4x: page_
};
console.log('\nRendering a 4,000-token streamed reply');
console.log(
	`  Node, every delta re-parses the whole text: ${result.nodeParse.fullReparsePerDelta.totalMs} ms in all, worst delta ${result.nodeParse.fullReparsePerDelta.worstDeltaMs} ms`
);
console.log(
	`  Node, incremental renderer (the page's):    ${result.nodeParse.incremental.totalMs} ms in all, worst delta ${result.nodeParse.incremental.worstDeltaMs} ms`
);
console.log(
	`  Chromium 390×844, CPU 4× slower: ${page_.wallMs} ms to stream; long tasks ${page_.longTasks} (longest ${page_.longestTaskMs} ms); frame gap p50 ${page_.framesP50Ms} ms, p95 ${page_.framesP95Ms} ms; ${page_.framesOver100Ms} of ${page_.frames} frames over 100 ms`
);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'render.json'), JSON.stringify(result, null, 2));
