import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

/** Links of the chat list on `/`, in page order. */
async function chatLinks(page: Page): Promise<string[]> {
	return page.$$eval('[data-testid=chat-list] a[href^="/chat/"]', (as) => as.map((a) => a.getAttribute('href')!));
}

describe('foundation (browser)', () => {
	let app: RunningApp;
	let browser: Browser;
	const contexts: BrowserContext[] = [];
	const phone = async (opts: Parameters<typeof newPhone>[1] = {}) => {
		const ctx = await newPhone(browser, opts);
		contexts.push(ctx);
		return ctx;
	};

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(), launchBrowser()]);
	});
	afterAll(async () => {
		// A context a failed test already closed rejects here; the rest still get closed.
		for (const c of contexts) await c.close().catch(() => undefined);
		await browser?.close();
		await app?.close();
	});

	it('gives a new visitor an HttpOnly, SameSite=Lax session cookie and at least 3 sample chats', async () => {
		const ctx = await phone();
		const page = await ctx.newPage();
		const res = await page.goto(app.url + '/');
		expect(res!.status()).toBe(200);
		const cookies = await ctx.cookies(app.url);
		const session = cookies.find((c) => c.name === 'oreai_session');
		expect(session, JSON.stringify(cookies)).toBeDefined();
		expect(session!.httpOnly).toBe(true);
		expect(session!.sameSite).toBe('Lax');
		expect(session!.secure).toBe(false);
		// The session is not readable from scripts.
		expect(await page.evaluate(() => document.cookie)).not.toContain('oreai_session');
		expect((await chatLinks(page)).length).toBeGreaterThanOrEqual(3);
		await expect(page.locator('[data-testid=chat-list] li').first().innerText()).resolves.toMatch(/\S/);
	});

	it('without JavaScript, opens a sample chat and reads its history with rendered markdown', async () => {
		const ctx = await phone({ javaScriptEnabled: false });
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		const links = await chatLinks(page);
		expect(links.length).toBeGreaterThanOrEqual(3);
		// Follow real links until a sample has a table or a code block in a reply.
		let found = false;
		for (const href of links) {
			await page.goto(app.url + '/');
			await page.click(`[data-testid=chat-list] a[href="${href}"]`);
			await page.waitForURL(app.url + href);
			expect(await page.locator('li[data-role=user]').count()).toBeGreaterThan(0);
			const replies = page.locator('li[data-role=assistant]');
			expect(await replies.count()).toBeGreaterThan(0);
			expect(await replies.first().getAttribute('data-status')).toBe('complete');
			// Markdown is rendered to HTML, not shown as raw syntax.
			expect(
				await page.locator('li[data-role=assistant] .md p, li[data-role=assistant] .md li').count()
			).toBeGreaterThan(0);
			const rich = await page
				.locator('li[data-role=assistant] .md table, li[data-role=assistant] .md pre code')
				.count();
			if (rich > 0) {
				found = true;
				const text = await replies.allInnerTexts();
				expect(text.join('\n')).not.toMatch(/^\|---/m);
				await screenshot(page, 'foundation-nojs-sample-chat');
				break;
			}
		}
		expect(found, 'some sample chat renders a table or a code block').toBe(true);
	});

	it('without JavaScript, starts a chat from /discover with the opening message in the composer', async () => {
		const ctx = await phone({ javaScriptEnabled: false });
		const page = await ctx.newPage();
		await page.goto(app.url + '/discover');
		const start = page.locator('form[action="?/start"]:has(input[name=prompt]) button').first();
		const slug = await page.locator('form[action="?/start"] input[name=prompt]').first().inputValue();
		await start.click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		const id = new URL(page.url()).pathname.split('/').pop()!;
		const [row] = await app.db.query<{ opening_message: string }>(
			'SELECT opening_message FROM prompt WHERE slug = ? AND locale = ?',
			[slug, 'en']
		);
		expect(row.opening_message.length).toBeGreaterThan(0);
		expect(await page.locator('#content').inputValue()).toBe(row.opening_message);
		const [chat] = await app.db.query<{ prompt_slug: string }>('SELECT prompt_slug FROM chat WHERE id = ?', [id]);
		expect(chat.prompt_slug).toBe(slug);
		await screenshot(page, 'foundation-nojs-discover-started');
	});

	it('shows the 404 page for an unknown chat id', async () => {
		const ctx = await phone();
		const page = await ctx.newPage();
		for (const id of ['zzzzzzzzzzzzzzzz', 'not-a-chat-id!']) {
			const res = await page.goto(`${app.url}/chat/${encodeURIComponent(id)}`);
			expect(res!.status()).toBe(404);
			await expect(page.locator('h1').innerText()).resolves.toBe('Not found');
			expect(await page.locator('a[href="/"]').count()).toBeGreaterThan(0);
		}
		await screenshot(page, 'foundation-404');
	});

	it('keeps the bottom navigation visible at the bottom of a 390×844 phone screen', async () => {
		const ctx = await phone();
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		const nav = page.locator('[data-testid=bottom-nav]');
		await nav.waitFor({ state: 'visible' });
		const box = (await nav.boundingBox())!;
		const viewport = page.viewportSize()!;
		expect(viewport).toEqual({ width: 390, height: 844 });
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.y).toBeGreaterThan(viewport.height / 2);
		expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 0.5);
		expect(box.y + box.height).toBeGreaterThanOrEqual(viewport.height - 1);
		expect(box.width).toBeGreaterThanOrEqual(viewport.width - 1);
		expect(box.height).toBeGreaterThanOrEqual(44);
		// Nothing covers it: the topmost element at its centre belongs to the bar.
		const onTop = await page.evaluate(
			([x, y]) => !!document.elementFromPoint(x, y)?.closest('[data-testid=bottom-nav]'),
			[box.x + box.width / 2, box.y + box.height / 2]
		);
		expect(onTop).toBe(true);
		// Its three tabs are real links.
		expect(await nav.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
			'/',
			'/discover',
			'/me'
		]);
		const file = await screenshot(page, 'home-390x844');
		expect(file).toMatch(/test-results\/screenshots\/home-390x844\.png$/);
	});

	it('has no horizontal scrolling at 320 px on /, /discover, /me and chats', async () => {
		const ctx = await phone({ width: 320, height: 640 });
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		const paths = ['/', '/discover', '/me', ...(await chatLinks(page))];
		const overflowing: string[] = [];
		for (const p of paths) {
			await page.goto(app.url + p);
			const { scrollWidth, clientWidth, main } = await page.evaluate(() => {
				const m = document.getElementById('main')!;
				return {
					scrollWidth: document.documentElement.scrollWidth,
					clientWidth: document.documentElement.clientWidth,
					// The page's own scroll area must not scroll sideways either (wide tables/code scroll inside themselves).
					main: { scrollWidth: m.scrollWidth, clientWidth: m.clientWidth }
				};
			});
			if (scrollWidth > clientWidth) overflowing.push(`${p}: ${scrollWidth} > ${clientWidth}`);
			if (main.scrollWidth > main.clientWidth)
				overflowing.push(`${p} #main: ${main.scrollWidth} > ${main.clientWidth}`);
		}
		await page.goto(app.url + paths.at(-1)!);
		await screenshot(page, 'chat-320');
		expect(overflowing).toEqual([]);
	});
});
