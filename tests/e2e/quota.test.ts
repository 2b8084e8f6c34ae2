import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone } from '../helpers/browser';

describe('when the quota runs out', () => {
	let app: RunningApp;
	let browser: Browser;
	let mock: Awaited<ReturnType<typeof startMockServer>>;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 5 });
		[app, browser] = await Promise.all([
			startApp({ DEFAULT_QUOTA: '1', OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test' }),
			launchBrowser()
		]);
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
		await mock?.close();
	});

	it('explains it in the chat, keeps the draft, and shows 0 left on /me', async () => {
		const ctx = await newPhone(browser);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		await page.locator('a[href^="/chat/"]').first().click();
		await page.waitForLoadState('networkidle');
		await page.locator('#content').fill('First question');
		await page.getByTestId('send').click();
		await expect.poll(() => page.locator('li[data-role]').nth(-2).textContent()).toContain('First question');
		await expect.poll(() => page.locator('li[data-role]').last().getAttribute('data-status')).toBe('complete');
		const requestsBefore = mock.handler.requests.length;
		await page.locator('#content').fill('Second question');
		await page.getByTestId('send').click();
		await expect.poll(() => page.getByTestId('send-error').textContent()).toContain('used all of your replies');
		expect(await page.locator('#content').inputValue()).toBe('Second question');
		expect(mock.handler.requests.length).toBe(requestsBefore);
		await page.goto(app.url + '/me');
		expect(await page.getByTestId('quota').textContent()).toContain('1 of 1 replies used · 0 left');
		await ctx.close();
	});

	it('explains it without JavaScript too, keeping the typed message', async () => {
		const ctx = await newPhone(browser, { javaScriptEnabled: false });
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		await page.locator('a[href^="/chat/"]').first().click();
		await page.locator('#content').fill('One question');
		await page.getByTestId('send').click();
		await page.waitForURL(/\/chat\//);
		// The page reloads itself every 2 s while the reply is written: send again once it is done
		// (a send during the reply would be refused as busy, before the quota is even looked at).
		await expect
			.poll(() => page.locator('li[data-role]').last().getAttribute('data-status'), { timeout: 15_000 })
			.toBe('complete');
		await page.locator('#content').fill('Another question');
		await page.getByTestId('send').click();
		await expect.poll(() => page.getByTestId('send-error').textContent()).toContain('used all of your replies');
		expect(await page.locator('#content').inputValue()).toBe('Another question');
		await ctx.close();
	});
});
