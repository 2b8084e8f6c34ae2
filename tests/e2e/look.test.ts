import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

// What a person sees before they send anything: tab bar and keyboard, code blocks, the
// Discover icons, the Me page's notices, the installed app's colours and icons.

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const SIZES = [
	{ name: 'phone', width: 390, height: 844 },
	{ name: 'desktop', width: 1440, height: 900 }
] as const;
const SCHEMES = ['light', 'dark'] as const;

async function axe(page: Page) {
	await page.addScriptTag({ path: axePath });
	return page.evaluate(async () => {
		const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
		return result.violations
			.filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
			.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
	});
}

describe('look and feel', () => {
	let app: RunningApp;
	let browser: Browser;
	let codeChat: string;
	let cookies: Awaited<ReturnType<BrowserContext['cookies']>>;

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(), launchBrowser()]);
		const ctx = await newPhone(browser);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		codeChat = (await page.locator('a[href^="/chat/"]', { hasText: 'Python' }).first().getAttribute('href'))!;
		cookies = await ctx.cookies();
		await ctx.close();
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	async function open(opts: {
		width?: number;
		height?: number;
		colorScheme?: 'light' | 'dark';
		javaScriptEnabled?: boolean;
		mobile?: boolean;
	}): Promise<[BrowserContext, Page]> {
		const mobile = opts.mobile ?? (opts.width ?? 390) < 800;
		const ctx = await browser.newContext({
			viewport: { width: opts.width ?? 390, height: opts.height ?? 844 },
			isMobile: mobile,
			hasTouch: mobile,
			colorScheme: opts.colorScheme ?? 'light',
			javaScriptEnabled: opts.javaScriptEnabled ?? true,
			bypassCSP: true
		});
		await ctx.addCookies(cookies);
		return [ctx, await ctx.newPage()];
	}

	it('moves the tab bar out of the way while the on-screen keyboard is up on a tab page', async () => {
		const [ctx, page] = await open({});
		await page.goto(app.url + '/');
		const nav = page.getByTestId('bottom-nav');
		expect(await nav.isVisible()).toBe(true);
		await page.locator('#q').focus();
		await page.setViewportSize({ width: 390, height: 844 - 336 });
		expect(await nav.isVisible()).toBe(false);
		const search = (await page.locator('#q').boundingBox())!;
		expect(search.y + search.height).toBeLessThanOrEqual(844 - 336);
		await page.locator('#q').blur();
		expect(await nav.isVisible()).toBe(true);
		await ctx.close();

		// A desktop keyboard is not on the screen: the bar stays.
		const [wide, desk] = await open({ width: 1440, height: 900 });
		await desk.goto(app.url + '/');
		await desk.locator('#q').focus();
		expect(await desk.getByTestId('bottom-nav').isVisible()).toBe(true);
		await wide.close();
	});

	for (const size of SIZES) {
		for (const scheme of SCHEMES) {
			it(`colours code by syntax, keeps Copy clear of the code and drops inline backticks (${size.name}, ${scheme})`, async () => {
				const [ctx, page] = await open({ width: size.width, height: size.height, colorScheme: scheme });
				await page.goto(app.url + codeChat);
				const pre = page.locator('li[data-role=assistant] .md pre').first();
				await pre.scrollIntoViewIfNeeded();
				const colours = await pre.evaluate((el) => {
					const bg = getComputedStyle(el).backgroundColor;
					const keyword = el.querySelector('.hljs-string, .hljs-number, .hljs-keyword, .hljs-comment');
					return { bg, token: keyword ? getComputedStyle(keyword).color : null, text: getComputedStyle(el).color };
				});
				expect(colours.token, 'a highlighted token').not.toBeNull();
				expect(colours.token).not.toBe(colours.text);
				// Light blocks on light pages, dark blocks on dark pages.
				const lum = (rgb: string) =>
					rgb
						.match(/\d+/g)!
						.slice(0, 3)
						.reduce((a, c) => a + Number(c), 0) / 3;
				if (scheme === 'light') expect(lum(colours.bg)).toBeGreaterThan(200);
				else expect(lum(colours.bg)).toBeLessThan(60);

				const button = (await pre.locator('.copy-code').boundingBox())!;
				const firstLine = await pre.locator('code').evaluate((code) => {
					const range = document.createRange();
					range.setStart(code.firstChild!, 0);
					range.setEnd(code.firstChild!, 1);
					const r = range.getBoundingClientRect();
					return { top: r.top, bottom: r.bottom };
				});
				expect(button.y + button.height).toBeLessThanOrEqual(firstLine.top + 0.5);

				const inline = page.locator('li[data-role=assistant] .md :not(pre) > code').first();
				const marks = await inline.evaluate((el) => [
					getComputedStyle(el, '::before').content,
					getComputedStyle(el, '::after').content
				]);
				expect(marks.every((c) => c === 'none' || c === 'normal' || c === '""')).toBe(true);
				expect(await axe(page)).toEqual([]);
				await screenshot(page, `code-${size.name}-${scheme}`);
				await ctx.close();
			});

			it(`draws Discover's icons as SVG, never emoji (${size.name}, ${scheme})`, async () => {
				const [ctx, page] = await open({ width: size.width, height: size.height, colorScheme: scheme });
				await page.goto(app.url + '/discover');
				const cards = page.locator('main li');
				const n = await cards.count();
				expect(n).toBeGreaterThan(5);
				expect(await page.locator('main li h3 svg[data-icon]').count()).toBe(n);
				const names = await page.locator('main li h3 svg').evaluateAll((els) => els.map((e) => e.dataset.icon));
				expect(names).not.toContain('spark');
				const text = (await page.locator('main').textContent())!;
				expect(text).not.toMatch(/\p{Extended_Pictographic}|＋/u);
				expect(await axe(page)).toEqual([]);
				await screenshot(page, `discover-${size.name}-${scheme}`);
				await ctx.close();
			});
		}
	}

	for (const javaScriptEnabled of [true, false]) {
		it(`saves settings and comes back to a clean /me that says so, readable in dark (${javaScriptEnabled ? 'with' : 'without'} JavaScript)`, async () => {
			const [ctx, page] = await open({ colorScheme: 'dark', javaScriptEnabled });
			await page.goto(app.url + '/me');
			await page.getByRole('button', { name: 'Save settings' }).click();
			await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
			expect(new URL(page.url()).search).toBe('');
			// axe runs as a script: it can only check the page that has JavaScript.
			if (javaScriptEnabled) expect(await axe(page)).toEqual([]);
			// Once: a reload does not post again nor repeat the notice.
			await page.reload();
			expect(await page.getByText('Settings saved.').count()).toBe(0);
			await ctx.close();
		});
	}

	it('gives the installed app the page’s own colour and a favicon.ico', async () => {
		const manifest = await (await fetch(app.url + '/manifest.webmanifest')).json();
		const [ctx, page] = await open({ colorScheme: 'light' });
		await page.goto(app.url + '/');
		const light = await page
			.locator('meta[name=theme-color]')
			.evaluateAll((els) =>
				els
					.filter((e) => !e.getAttribute('media') || matchMedia(e.getAttribute('media')!).matches)
					.map((e) => e.getAttribute('content'))
			);
		expect(light).toEqual([manifest.theme_color]);
		expect(manifest.background_color).toBe(manifest.theme_color);
		await ctx.close();
		const ico = await fetch(app.url + '/favicon.ico');
		expect(ico.status).toBe(200);
		const bytes = new Uint8Array(await ico.arrayBuffer());
		expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
	});
});
