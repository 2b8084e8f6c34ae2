import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

const lastReply = 'li[data-role=assistant]:last-of-type';
const directive = (o: Record<string, unknown>) => `[[mock:${JSON.stringify(o)}]]`;

interface MessageRow {
	id: number;
	role: string;
	content: string;
	status: string;
	error_code: string | null;
}

describe('chat page (browser, mock upstream)', () => {
	let app: RunningApp;
	let mock: { url: string; handler: any; close(): Promise<void> };
	let browser: Browser;
	let ctx: BrowserContext;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 20 });
		[app, browser] = await Promise.all([
			startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'mock-small' }),
			launchBrowser()
		]);
		ctx = await newPhone(browser);
		contexts.push(ctx);
	});
	afterAll(async () => {
		// A context a failed test already closed rejects here; the rest still get closed.
		for (const c of contexts) await c.close().catch(() => undefined);
		await browser?.close();
		await app?.close();
		await mock?.close();
	});

	/** Opens a blank chat through Discover's real form; returns its id. */
	async function blankChat(page: Page): Promise<string> {
		await page.goto(app.url + '/discover');
		await page.locator('form[action="?/start"]:not(:has(input[name=prompt])) button').click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		await page.waitForLoadState('load');
		return new URL(page.url()).pathname.split('/').pop()!;
	}

	async function openChat(c: BrowserContext = ctx) {
		const page = await c.newPage();
		const id = await blankChat(page);
		return { page, id };
	}

	/** Types into the composer and presses Send, as a person does. */
	async function type(page: Page, text: string) {
		await page.locator('#content').fill(text);
		await page.locator('[data-testid=send]').click();
	}

	const rows = (chatId: string) =>
		app.db.query<MessageRow>(
			'SELECT id, role, content, status, error_code FROM message WHERE chat_id = ? ORDER BY id',
			[chatId]
		);

	async function dbReply(chatId: string, until: (r: MessageRow) => boolean, timeout = 10_000) {
		const end = Date.now() + timeout;
		for (;;) {
			const last = (await rows(chatId)).filter((r) => r.role === 'assistant').at(-1);
			if (last && until(last)) return last;
			if (Date.now() > end) throw new Error(`DB reply never matched: ${JSON.stringify(last)}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	const status = (page: Page) => page.locator(lastReply).getAttribute('data-status');
	const waitStatus = (page: Page, s: string, timeout = 15_000) =>
		page.waitForSelector(`${lastReply}[data-status=${s}]`, { timeout });
	const replyText = (page: Page) => page.locator(`${lastReply} .md`).innerText();

	it('streams a reply: partial text is visible before it completes', async () => {
		const { page, id } = await openChat();
		await type(page, `Tell me about streams ${directive({ tokens: 200, delayMs: 30 })}`);
		// The composer empties and the user's message shows at once.
		await page.waitForSelector('li[data-role=user]');
		expect(await page.locator('#content').inputValue()).toBe('');
		// Some text while the status is still "streaming".
		const partial = await page.waitForFunction(
			(sel) => {
				const li = document.querySelector(sel);
				const text = li?.querySelector('.md')?.textContent?.trim() ?? '';
				return li?.getAttribute('data-status') === 'streaming' && text.length > 10 ? text : null;
			},
			lastReply,
			{ timeout: 10_000, polling: 50 }
		);
		const partialText = (await partial.jsonValue()) as string;
		expect(await page.locator('[data-testid=stop]').isVisible()).toBe(true);
		await screenshot(page, 'chat-streaming');
		await waitStatus(page, 'complete');
		const full = await replyText(page);
		expect(full.length).toBeGreaterThan(partialText.length);
		expect(full.replace(/\s+/g, ' ')).toContain(partialText.replace(/\s+/g, ' ').slice(0, 20));
		const db = await dbReply(id, (r) => r.status === 'complete');
		expect(db.content.length).toBeGreaterThan(partialText.length);
		expect(await page.locator('[data-testid=stop]').count()).toBe(0);
		expect(await page.locator(`${lastReply} [data-testid=regenerate]`).isVisible()).toBe(true);
	});

	it('Stop keeps the partial text with status stopped (page and database)', async () => {
		const { page, id } = await openChat();
		await type(page, `Write a long essay ${directive({ tokens: 200, delayMs: 30 })}`);
		await page.waitForFunction(
			(sel) => (document.querySelector(sel)?.querySelector('.md')?.textContent?.trim().length ?? 0) > 10,
			lastReply,
			{ timeout: 10_000, polling: 50 }
		);
		await page.locator('[data-testid=stop]').click();
		await waitStatus(page, 'stopped', 5_000);
		const shown = await replyText(page);
		expect(shown.trim().length).toBeGreaterThan(10);
		const db = await dbReply(id, (r) => r.status === 'stopped');
		expect(db.content.length).toBeGreaterThan(10);
		// Far from all 200 tokens, and nothing more arrives afterwards.
		await page.waitForTimeout(400);
		expect(await replyText(page)).toBe(shown);
		expect((await dbReply(id, () => true)).content).toBe(db.content);
		expect(await page.locator(`${lastReply}`).innerText()).toContain('Stopped.');
		// After a reload the same partial text is shown, still stopped.
		await page.reload();
		expect(await status(page)).toBe('stopped');
		expect(await replyText(page)).toBe(shown);
	});

	it('a reload mid-reply resumes it and completes with the full stored text', async () => {
		const { page, id } = await openChat();
		await type(page, `Explain resumption ${directive({ tokens: 120, delayMs: 30 })}`);
		await page.waitForFunction(
			(sel) => (document.querySelector(sel)?.querySelector('.md')?.textContent?.trim().length ?? 0) > 5,
			lastReply,
			{ timeout: 10_000, polling: 50 }
		);
		await page.reload();
		// Server-rendered while the reply is still being written.
		expect(await status(page)).toBe('streaming');
		await waitStatus(page, 'complete');
		const resumed = await replyText(page);
		const db = await dbReply(id, (r) => r.status === 'complete');
		// The first words appear exactly once: the replay did not double the text.
		const head = db.content.split('\n')[0].slice(0, 30);
		expect(head.length).toBeGreaterThan(10);
		expect(resumed.split(head).length - 1).toBe(1);
		// What the live resume shows equals the server rendering of the stored row.
		await page.reload();
		expect(await status(page)).toBe('complete');
		expect(await replyText(page)).toBe(resumed);
		expect(await page.locator('li[data-role=assistant]').count()).toBe(1);
	});

	it('Regenerate shows a new last reply and keeps the earlier one behind a 2/2 switcher', async () => {
		const { page, id } = await openChat();
		mock.handler.setOptions({ reply: 'First answer alpha.' });
		try {
			await type(page, 'Say something');
			await waitStatus(page, 'complete');
			expect(await replyText(page)).toBe('First answer alpha.');
			mock.handler.setOptions({ reply: 'Second answer beta.' });
			await page.locator(`${lastReply} [data-testid=regenerate]`).click();
			await page.waitForFunction(
				(sel) => document.querySelector(sel)?.textContent?.includes('Second answer beta.'),
				lastReply,
				{
					timeout: 10_000
				}
			);
			await waitStatus(page, 'complete');
		} finally {
			mock.handler.setOptions({ reply: null });
		}
		expect(await page.locator('li[data-role=assistant]').count()).toBe(1);
		expect(await page.locator('li[data-role=user]').count()).toBe(1);
		expect(await page.locator('[data-testid=messages]').innerText()).not.toContain('First answer alpha.');
		const all = await rows(id);
		expect(all.map((r) => [r.role, r.content, r.status])).toEqual([
			['user', 'Say something', 'complete'],
			['assistant', 'First answer alpha.', 'complete'],
			['assistant', 'Second answer beta.', 'complete']
		]);
		await expect.poll(() => page.locator(`${lastReply} [data-testid=version-label]`).innerText()).toContain('2/2');
		await page.reload();
		expect(await replyText(page)).toBe('Second answer beta.');
	});

	it('an upstream failure shows an inline error with a Retry button that works', async () => {
		const { page, id } = await openChat();
		await type(page, `Fail please ${directive({ fault: 'http500' })}`);
		await waitStatus(page, 'error');
		const error = page.locator(`${lastReply} [data-testid=reply-error]`);
		expect(await error.isVisible()).toBe(true);
		const message = await error.innerText();
		expect(message).toMatch(/\w/);
		expect(message).not.toMatch(/at .*\.js|Error:|stack/i);
		const retry = page.locator(`${lastReply} [data-testid=regenerate]`);
		expect(await retry.innerText()).toBe('Retry');
		const db = await dbReply(id, (r) => r.status === 'error');
		expect(db.error_code).toBeTruthy();
		await screenshot(page, 'chat-error');

		// A failure that goes away: Retry brings a real reply in place of the error.
		const { page: page2, id: id2 } = await openChat();
		mock.handler.setOptions({ fault: 'http500' });
		try {
			await type(page2, 'Try again later');
			await waitStatus(page2, 'error');
		} finally {
			mock.handler.setOptions({ fault: null });
		}
		await page2.locator(`${lastReply} [data-testid=regenerate]`).click();
		await waitStatus(page2, 'complete');
		expect(await page2.locator('[data-testid=reply-error]').count()).toBe(0);
		expect((await replyText(page2)).length).toBeGreaterThan(10);
		// The failed attempt stays as version 1; the answer is shown.
		expect((await rows(id2)).map((r) => [r.role, r.status])).toEqual([
			['user', 'complete'],
			['assistant', 'error'],
			['assistant', 'complete']
		]);
	});

	it('without JavaScript, a send redirects at once to the chat, which refreshes itself until the reply is done', async () => {
		const noJs = await newPhone(browser, { javaScriptEnabled: false });
		contexts.push(noJs);
		const { page, id } = await openChat(noJs);
		await page.locator('#content').fill(`No script here ${directive({ tokens: 60, delayMs: 50 })}`);
		const sentAt = Date.now();
		const [response] = await Promise.all([
			page.waitForNavigation({ waitUntil: 'load' }),
			page.locator('[data-testid=send]').click()
		]);
		// At once: well before the 3-second reply could have finished.
		expect(Date.now() - sentAt).toBeLessThan(2500);
		expect(response!.status()).toBe(200);
		expect(new URL(page.url()).pathname).toBe(`/chat/${id}`);
		expect(new URL(page.url()).hash).toBe('#latest');
		expect(await page.locator('li[data-role=user]').innerText()).toContain('No script here');
		expect(await status(page)).toBe('streaming');
		expect(
			await page
				.locator('noscript')
				.first()
				.evaluate((n) => n.parentElement?.tagName)
		).toBeTruthy();
		expect(await page.getByTestId('refreshing').count()).toBe(1);
		// The page refreshes itself (every 2 s) until the reply is complete.
		await expect.poll(() => status(page), { timeout: 15_000, interval: 500 }).toBe('complete');
		const db = await dbReply(id, () => true);
		expect(db.status).toBe('complete');
		const shown = await replyText(page);
		expect(shown.length).toBeGreaterThan(10);
		// The first line of the stored markdown is on the page.
		expect(shown).toContain(db.content.split('\n')[0].replace(/[*_`]/g, '').slice(0, 20));
		expect(await page.locator('#content').inputValue()).toBe('');
		// Done: no more refreshing; the newest message is in view and the page itself does not scroll.
		expect(await page.getByTestId('refreshing').count()).toBe(0);
		expect(await page.locator('li[data-role=assistant]').last().isVisible()).toBe(true);
		const docScroll = await page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
		expect(docScroll).toBeLessThanOrEqual(0);
	});

	describe('untrusted reply content', () => {
		const payload = [
			'Look: <script>window.__x=1;alert(1)</script>',
			'',
			'<img src=x onerror="window.__x=1;alert(2)">',
			'',
			'[link](javascript:window.__x=1;alert(3))',
			'',
			'<iframe src="javascript:parent.__x=1" srcdoc="<script>parent.__x=1</script>"></iframe>',
			'',
			'<a href="javascript:window.__x=1">raw anchor</a> <svg><script>window.__x=1</script></svg> <details open ontoggle="window.__x=1">x</details>',
			'',
			'The end.'
		].join('\n');

		async function assertInert(page: Page, dialogs: string[]) {
			const found = await page.evaluate(() => {
				const root = document.querySelector('[data-testid=messages]')!;
				const all = [...root.querySelectorAll('*')];
				return {
					scripts: root.querySelectorAll('script').length,
					iframes: root.querySelectorAll('iframe, object, embed').length,
					handlers: all
						.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on')))
						.map((el) => el.outerHTML),
					jsUrls: all
						.filter((el) => [...el.attributes].some((a) => /^\s*javascript:/i.test(a.value)))
						.map((el) => el.outerHTML)
				};
			});
			expect(found).toEqual({ scripts: 0, iframes: 0, handlers: [], jsUrls: [] });
			// The text around the payload still shows, and the link text is there to click.
			const text = await replyText(page);
			expect(text).toContain('The end.');
			const link = page.locator(`${lastReply} .md`).getByText('link', { exact: true });
			expect(await link.count()).toBe(1);
			await link.click();
			await page.locator(`${lastReply} .md`).getByText('raw anchor').click();
			await page.waitForTimeout(300);
			expect(await page.evaluate(() => (window as any).__x)).toBeUndefined();
			expect(page.url()).toMatch(/\/chat\/[0-9a-z]+$/);
			expect(dialogs).toEqual([]);
		}

		it('runs nothing, live-streamed or server-rendered after a reload', async () => {
			const c = await newPhone(browser);
			contexts.push(c);
			const dialogs: string[] = [];
			const popups: string[] = [];
			c.on('page', (p) => popups.push(p.url()));
			const { page, id } = await openChat(c);
			page.on('dialog', (d) => {
				dialogs.push(d.message());
				void d.dismiss();
			});
			// Sent as many small chunks, so every partial rendering is exercised while streaming.
			await type(page, `XSS test ${directive({ reply: payload, delayMs: 5 })}`);
			await waitStatus(page, 'complete');
			expect((await dbReply(id, () => true)).content).toBe(payload);
			await assertInert(page, dialogs);

			await page.reload();
			expect(await status(page)).toBe('complete');
			await assertInert(page, dialogs);
			// The server's HTML, including the serialised page data, has no live markup from the reply.
			const html = await (await c.request.get(`${app.url}/chat/${id}`)).text();
			expect(html).not.toContain('<script>window.__x');
			expect(html).not.toContain('<img src=x onerror');
			expect(html).not.toContain('<iframe');
			expect(popups.filter((u) => u.startsWith('javascript:'))).toEqual([]);
		});
	});

	it('gives a code block in a reply a Copy button that copies the code', async () => {
		const c = await newPhone(browser);
		contexts.push(c);
		await c.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
		const { page } = await openChat(c);
		const code = 'const answer = 42;\nconsole.log(answer);';
		await type(page, `Code please ${directive({ reply: `Here you go:\n\n\`\`\`js\n${code}\n\`\`\`\n\nDone.` })}`);
		await waitStatus(page, 'complete');
		for (const round of ['live', 'reloaded']) {
			if (round === 'reloaded') await page.reload();
			const copy = page.locator(`${lastReply} pre button`);
			await copy.waitFor({ state: 'visible', timeout: 5_000 });
			expect(await copy.count()).toBe(1);
			expect(await copy.innerText()).toBe('Copy');
			expect(await page.locator(`${lastReply} pre code`).innerText()).toContain('console.log(answer);');
			await copy.click();
			await page.waitForFunction(
				(sel) => document.querySelector(sel)?.textContent === 'Copied',
				`${lastReply} pre button`,
				{ timeout: 3_000 }
			);
			expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
		}
		await screenshot(page, 'chat-code-copy');
	});
});
