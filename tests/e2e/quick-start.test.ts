import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { freePort, quickStart, startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone } from '../helpers/browser';

// The README's first line, as written: `npm start` (node build) with no ORIGIN, no HOST and
// no other setting but the port and database a test must choose. A person at
// http://localhost:PORT or http://127.0.0.1:PORT uses the forms over plain http.

describe('quick start over plain http (browser)', () => {
	let app: RunningApp;
	let browser: Browser;
	let port: string;

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(quickStart), launchBrowser()]);
		port = new URL(app.url).port;
	}, 60_000);
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	for (const host of ['localhost', '127.0.0.1']) {
		for (const javaScript of [true, false]) {
			it(`starts a chat from Discover and sends a message at http://${host}:PORT ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
				const base = `http://${host}:${port}`;
				const ctx = await newPhone(browser, { javaScriptEnabled: javaScript });
				try {
					const page = await ctx.newPage();
					await page.goto(base + '/discover');
					await page.locator('form[action="?/start"]:has(input[name=prompt]) button').first().click();
					await page.waitForURL(/\/chat\/[0-9a-z]+/);
					const chatId = new URL(page.url()).pathname.split('/')[2];

					await page.locator('#content').fill('Hello from the quick start');
					await page.locator('[data-testid=send]').click();
					await page.waitForSelector('li[data-role=user]:has-text("Hello from the quick start")', { timeout: 15_000 });
					await page.waitForSelector('li[data-role=assistant]:last-of-type[data-status=complete]', { timeout: 30_000 });

					const [{ n }] = await app.db.query<{ n: number }>(
						"SELECT COUNT(*) n FROM message WHERE chat_id = ? AND role = 'user' AND content = ?",
						[chatId, 'Hello from the quick start']
					);
					expect(Number(n)).toBe(1);

					const cookies = await ctx.cookies(base);
					const session = cookies.find((c) => c.name === 'oreai_session');
					expect(session).toBeDefined();
					expect(session!.secure).toBe(false);
					expect(session!.httpOnly).toBe(true);
				} finally {
					await ctx.close();
				}
			}, 90_000);
		}
	}

	it('refuses a form posted to it from a page on another port of the same host', async () => {
		const base = `http://127.0.0.1:${port}`;
		// Another app on this machine, one port over: its page posts OreAI's Discover form.
		const otherPort = await freePort();
		const other = createServer((_, res) => {
			res.setHeader('content-type', 'text/html');
			res.end(`<form method="POST" action="${base}/discover?/start"><button>go</button></form>`);
		});
		await new Promise<void>((r) => other.listen(otherPort, '127.0.0.1', r));
		const ctx = await newPhone(browser);
		try {
			const page = await ctx.newPage();
			await page.goto(base + '/');
			const [{ n: before }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat');
			await page.goto(`http://127.0.0.1:${otherPort}/`);
			const [response] = await Promise.all([page.waitForResponse(`${base}/discover?/start`), page.click('button')]);
			expect(response.status()).toBe(403);
			const [{ n: after }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat');
			expect(Number(after)).toBe(Number(before));
		} finally {
			await ctx.close();
			await new Promise((r) => other.close(r));
		}
	}, 60_000);
});
