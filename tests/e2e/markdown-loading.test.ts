import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone } from '../helpers/browser';

const reply = 'Here is **bold** text.\n\n```python\nprint("hi")\n```\n\n- one\n- two';
const directive = `[[mock:${JSON.stringify({ reply })}]]`;
const lastReply = 'li[data-role=assistant]:last-of-type .md';

/** Whether a script is the lazily loaded renderer (marked + highlight.js): it writes link attributes. */
async function isRenderer(r: Response) {
	if (!new URL(r.url()).pathname.endsWith('.js')) return false;
	const body = await r.body().catch(() => Buffer.alloc(0));
	return body.includes('noopener noreferrer nofollow') && body.includes('registerLanguage');
}

describe('markdown renderer in the browser', () => {
	let app: RunningApp;
	let mock: { url: string; close(): Promise<void> };
	let browser: Browser;
	let ctx: BrowserContext;
	let chatId: string;

	beforeAll(async () => {
		mock = await startMockServer({});
		[app, browser] = await Promise.all([
			startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'mock-small' }),
			launchBrowser()
		]);
		ctx = await newPhone(browser);
		// A chat with one formatted reply, streamed in the browser (which loads the renderer).
		const page = await ctx.newPage();
		await page.goto(app.url + '/discover');
		await page.locator('form[action="?/start"]:not(:has(input[name=prompt])) button').click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		chatId = new URL(page.url()).pathname.split('/').pop()!;
		await page.locator('#content').fill(`Format something ${directive}`);
		await page.locator('[data-testid=send]').click();
		await page.waitForSelector('li[data-role=assistant][data-status=complete]');
		expect(await page.locator(`${lastReply} strong`).innerText()).toBe('bold');
		await page.close();
	});
	afterAll(async () => {
		await ctx?.close();
		await browser?.close();
		await app?.close();
		await mock?.close();
	});

	async function track(page: Page) {
		const loaded: string[] = [];
		page.on('response', async (r) => {
			if (await isRenderer(r)) loaded.push(r.url());
		});
		return loaded;
	}

	it('opening a chat shows the server-rendered reply without downloading the renderer', async () => {
		const page = await ctx.newPage();
		const loaded = await track(page);
		await page.goto(`${app.url}/chat/${chatId}`, { waitUntil: 'networkidle' });
		const scripts = await page.evaluate(
			() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).length
		);
		expect(scripts).toBeGreaterThan(3);
		expect(await page.locator(`${lastReply} strong`).innerText()).toBe('bold');
		expect(await page.locator(`${lastReply} code.language-python`).count()).toBe(1);
		expect(await page.locator(`${lastReply} [data-plain]`).count()).toBe(0);
		expect(loaded).toEqual([]);
		await page.close();
	});

	it('a chat reached by in-app navigation renders its replies once the renderer has loaded', async () => {
		const page = await ctx.newPage();
		const loaded = await track(page);
		await page.goto(app.url + '/', { waitUntil: 'networkidle' });
		expect(loaded).toEqual([]);
		await page.locator(`a[href^="/chat/${chatId}"]`).first().click();
		await page.waitForURL(new RegExp(`/chat/${chatId}(#.*)?$`));
		await page.locator(`${lastReply} strong`).waitFor();
		expect(await page.locator(`${lastReply} strong`).innerText()).toBe('bold');
		expect(await page.locator(`${lastReply} code.language-python`).count()).toBe(1);
		expect(await page.locator(`${lastReply} [data-plain]`).count()).toBe(0);
		await expect.poll(() => loaded.length).toBe(1);
		await page.close();
	});
});
