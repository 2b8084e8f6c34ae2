// Wire weight of each page in a phone-sized Chromium (bytes as sent, compressed, and decoded).
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CHROMIUM, log } from './config.js';
import { cleanups } from './environment.js';
import { request } from './http-client.js';
import { round } from './util.js';

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

export async function wireWeight(appUrl, chatUser) {
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
					// (it may not advertise br over plain http), or reports no size (0, or -1 for a
					// file the service worker answered), ask the server for the br/gzip copy.
					let bytes = sizes.responseBodySize;
					let via = `browser:${enc}`;
					if (enc === 'identity' || !(bytes > 0)) {
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
