import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('on a phone', () => {
	let app: RunningApp;
	let browser: Browser;
	let chatPath: string;
	let cookies: Awaited<ReturnType<BrowserContext['cookies']>>;

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(), launchBrowser()]);
		const ctx = await newPhone(browser);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		chatPath = (await page.locator('a[href^="/chat/"]').first().getAttribute('href'))!;
		cookies = await ctx.cookies();
		await ctx.close();
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	/** A phone signed in as the visitor who owns `chatPath`. */
	async function phonePage(opts: Parameters<typeof newPhone>[1] = {}): Promise<[BrowserContext, Page]> {
		const ctx = await newPhone(browser, opts);
		await ctx.addCookies(cookies);
		return [ctx, await ctx.newPage()];
	}

	it('keeps the bottom bar on screen and usable to move between tabs', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + '/');
		const bar = page.getByTestId('bottom-nav');
		const box = (await bar.boundingBox())!;
		expect(box.y + box.height).toBeLessThanOrEqual(844 + 0.5);
		expect(box.y).toBeGreaterThan(844 - 120);
		await bar.getByRole('link', { name: 'Discover' }).click();
		await page.waitForURL('**/discover');
		const links = await bar.getByRole('link').all();
		for (const link of links) expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
		await ctx.close();
	});

	it('keeps the composer above the on-screen keyboard', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + chatPath);
		await page.locator('#content').focus();
		// The viewport meta asks for interactive-widget=resizes-content: the keyboard shrinks
		// the layout viewport, which is what a smaller viewport simulates here.
		const meta = await page.locator('meta[name=viewport]').getAttribute('content');
		expect(meta).toContain('interactive-widget=resizes-content');
		await page.setViewportSize({ width: 390, height: 844 - 336 });
		const composer = (await page.locator('#composer').boundingBox())!;
		expect(composer.y + composer.height).toBeLessThanOrEqual(844 - 336 + 0.5);
		expect(composer.y).toBeGreaterThan(100);
		await screenshot(page, 'phone-keyboard-open');
		await ctx.close();
	});

	it('never sends while an input method is composing, and Enter is a new line on phones', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + chatPath);
		const before = await page.locator('li[data-role]').count();
		let posts = 0;
		page.on('request', (r) => {
			if (r.method() === 'POST' && r.url().includes('/messages')) posts++;
		});
		await page.locator('#content').fill('你好');
		await page.locator('#content').evaluate((el) => {
			el.dispatchEvent(
				new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true })
			);
			el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, cancelable: true }));
		});
		await page.keyboard.press('Enter'); // phone: a new line, not a send
		await page.waitForTimeout(300);
		expect(posts).toBe(0);
		expect(await page.locator('li[data-role]').count()).toBe(before);
		expect(await page.locator('#content').inputValue()).toContain('你好');
		await ctx.close();
	});

	it('keeps the newest text in view while a reply streams, unless the reader scrolled up', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + chatPath);
		await page.waitForLoadState('networkidle');
		await page.locator('#content').fill('Tell me a long story [[mock:{"tokens":400,"delayMs":12}]]');
		await page.getByTestId('send').click();
		const main = page.locator('#main');
		const gap = () => main.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
		await page.locator('li[data-role=assistant][data-status=streaming]').waitFor();
		// Sampled through the reply: the newest line is never left below the fold, also in the
		// frame between a delta's arrival and its paint.
		const gaps: number[] = [];
		for (let i = 0; i < 15; i++) {
			await page.waitForTimeout(100);
			gaps.push(await gap());
		}
		expect(Math.max(...gaps)).toBeLessThan(100);
		await main.evaluate((el) => el.scrollTo({ top: 0 }));
		await page.waitForTimeout(1000);
		expect(await main.evaluate((el) => el.scrollTop)).toBeLessThan(50);
		await page
			.locator('li[data-role=assistant]')
			.last()
			.and(page.locator('[data-status=complete]'))
			.waitFor({ timeout: 20_000 });
		await ctx.close();
	});

	it('sends with Enter on a desktop keyboard once composition has ended', async () => {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		await ctx.addCookies(cookies);
		const page = await ctx.newPage();
		await page.goto(app.url + chatPath);
		await page.waitForLoadState('networkidle');
		await page.locator('#content').fill('Hello from a desktop');
		const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/messages'));
		await page.locator('#content').press('Enter');
		await sent;
		await expect.poll(() => page.locator('li[data-role=user]').last().textContent()).toContain('Hello from a desktop');
		await ctx.close();
	});

	it('remembers theme and language and renders them from the first byte, also without JavaScript', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + '/me');
		await page.getByLabel('简体中文').check();
		await page.getByLabel('Dark').check();
		await page.getByRole('button', { name: 'Save settings' }).click();
		await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 5000 }).toBe('zh-CN');
		// The page itself turns dark at once, without a reload.
		await expect.poll(() => page.locator('html').getAttribute('class'), { timeout: 5000 }).toBe('dark');
		const cookies = await ctx.cookies();
		const noJs = await newPhone(browser, { javaScriptEnabled: false });
		await noJs.addCookies(cookies);
		const plain = await noJs.newPage();
		const res = await plain.goto(app.url + '/');
		const html = await res!.text();
		expect(html).toMatch(/<html lang="zh-CN" class="dark">/);
		await expect.poll(() => plain.getByTestId('bottom-nav').textContent()).toContain('对话');
		const bg = await plain.evaluate(() => getComputedStyle(document.body).backgroundColor);
		expect(bg).not.toBe('rgb(255, 255, 255)');
		await screenshot(plain, 'phone-dark-zh');
		await noJs.close();
		await ctx.close();
	});

	it('keeps a language and theme chosen on /me before the page script has started', async () => {
		const [ctx, page] = await phonePage();
		await page.goto(app.url + '/me');
		const saved = await page.locator('input[name=theme]:checked').getAttribute('value');
		const theme = saved === 'light' ? 'dark' : 'light';
		const language = (await page.locator('input[name=locale]:checked').getAttribute('value')) === 'en' ? 'zh-CN' : 'en';
		// As on a slow phone: the page's scripts arrive only after the person has tapped.
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		await page.route('**/_app/immutable/**/*.js', async (route) => {
			await held;
			await route.continue();
		});
		await page.goto(app.url + '/me', { waitUntil: 'domcontentloaded' });
		await page.locator(`input[name=locale][value="${language}"]`).check();
		await page.locator(`input[name=theme][value="${theme}"]`).check();
		release();
		// The passkey buttons appear once the page's script has taken over.
		await page.getByTestId('passkeys').getByRole('button').first().waitFor();
		expect(await page.locator('input[name=locale]:checked').getAttribute('value')).toBe(language);
		expect(await page.locator('input[name=theme]:checked').getAttribute('value')).toBe(theme);
		await ctx.close();
	});

	it('picks Chinese from Accept-Language for a new visitor, prompts included', async () => {
		const ctx = await newPhone(browser, { locale: 'zh-CN' });
		await ctx.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' });
		const page = await ctx.newPage();
		await page.goto(app.url + '/discover');
		expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
		await expect.poll(() => page.locator('h2').first().textContent()).toMatch(/[\u4e00-\u9fff]/);
		expect(await page.locator('main h3').first().textContent()).toMatch(/[\u4e00-\u9fff]/);
		await ctx.close();
	});

	it('searches chats with a plain GET form when JavaScript is off', async () => {
		const [ctx, page] = await phonePage({ javaScriptEnabled: false });
		await page.goto(app.url + '/');
		await page.locator('#q').fill('Kyoto');
		await page.locator('form[role=search] button').click();
		await page.waitForURL('**/?q=Kyoto');
		const titles = await page.locator('[data-testid=chat-list] li').allTextContents();
		expect(titles.length).toBe(1);
		expect(titles[0]).toContain('Kyoto');
		await ctx.close();
	});

	it('has no horizontal scrolling from 320 to 1440 px', async () => {
		const ctx = await browser.newContext();
		await ctx.addCookies(cookies);
		const page = await ctx.newPage();
		for (const width of [320, 390, 768, 1280, 1440]) {
			await page.setViewportSize({ width, height: 800 });
			for (const path of ['/', '/discover', '/me', chatPath]) {
				await page.goto(app.url + path);
				const overflow = await page.evaluate(
					() => document.documentElement.scrollWidth - document.documentElement.clientWidth
				);
				expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
			}
		}
		await ctx.close();
	});

	it('lays out each width in light and dark: the chat list sits beside the chat on wide screens', async () => {
		for (const colorScheme of ['light', 'dark'] as const) {
			// A fresh visitor per scheme: the theme is "system", so the device's scheme decides.
			const ctx = await browser.newContext({ colorScheme });
			const page = await ctx.newPage();
			await page.goto(app.url + '/');
			const mine = (await page.locator('a[href^="/chat/"]').first().getAttribute('href'))!;
			for (const width of [320, 390, 768, 1280]) {
				await page.setViewportSize({ width, height: width > 800 ? 800 : 844 });
				for (const [name, path] of [
					['chats', '/'],
					['discover', '/discover'],
					['chat', mine]
				]) {
					await page.goto(app.url + path);
					await screenshot(page, `layout-${width}-${colorScheme}-${name}`);
				}
				const sidebar = page.locator('aside');
				expect(await sidebar.isVisible(), `sidebar at ${width}`).toBe(width >= 1024);
				const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
				expect(bg === 'rgb(255, 255, 255)', `${colorScheme} background at ${width}`).toBe(colorScheme === 'light');
			}
			await ctx.close();
		}
	});

	it('opens a 300-message chat with only the newest page in the DOM, older pages on demand with and without JavaScript', async () => {
		const [owner] = await app.db.query<{ user_id: string }>('SELECT user_id FROM chat WHERE id = ?', [
			chatPath.split('/').pop()!.split('#')[0]
		]);
		const longChat = 'longchat0000000a';
		await app.db.query(
			"INSERT INTO chat (id, user_id, title, system_prompt, settings) VALUES (?, ?, 'Long chat', '', '{}')",
			[longChat, owner.user_id]
		);
		const rows = Array.from({ length: 300 }, (_, i) => [
			longChat,
			owner.user_id,
			i % 2 ? 'assistant' : 'user',
			`Message number ${i + 1}`,
			'complete'
		]);
		await app.db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);

		const [ctx, page] = await phonePage();
		await page.goto(`${app.url}/chat/${longChat}`);
		await page.waitForLoadState('networkidle');
		expect(await page.locator('li[data-role]').count()).toBe(50);
		expect(await page.locator('li[data-role]').first().textContent()).toContain('Message number 251');
		await page.getByTestId('older').click();
		await expect.poll(() => page.locator('li[data-role]').count()).toBe(100);
		expect(await page.locator('li[data-role]').first().textContent()).toContain('Message number 201');
		expect(page.url()).toBe(`${app.url}/chat/${longChat}`);
		await ctx.close();

		const [plainCtx, plain] = await phonePage({ javaScriptEnabled: false });
		await plain.goto(`${app.url}/chat/${longChat}`);
		await plain.getByTestId('older').click();
		await plain.waitForURL(/before=/);
		expect(await plain.locator('li[data-role]').count()).toBe(50);
		expect(await plain.locator('li[data-role]').first().textContent()).toContain('Message number 201');
		await plainCtx.close();
	});

	it('passes an axe accessibility check with no serious or critical violations on every page', async () => {
		// bypassCSP only lets the test inject axe-core; the app's CSP stays as it is.
		const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
		await ctx.addCookies(cookies);
		const page = await ctx.newPage();
		for (const path of ['/', '/discover', '/me', chatPath, '/chat/doesnotexist']) {
			await page.goto(app.url + path);
			await page.addScriptTag({ path: axePath });
			const violations = await page.evaluate(async () => {
				const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
				return result.violations
					.filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
					.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
			});
			expect(violations, path).toEqual([]);
		}
		await ctx.close();
	});
});
