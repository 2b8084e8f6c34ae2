import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone } from '../helpers/browser';

// Clearing or deleting a chat asks first: the first tap only reveals the button that acts.

describe('destructive chat actions ask first', () => {
	let app: RunningApp;
	let browser: Browser;

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(), launchBrowser()]);
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	for (const js of [true, false]) {
		it(`clears and deletes only after the second tap ${js ? 'with' : 'without'} JavaScript`, async () => {
			const ctx = await newPhone(browser, { javaScriptEnabled: js });
			const page = await ctx.newPage();
			await page.goto(app.url + '/');
			const href = (await page.locator('a[href^="/chat/"]').first().getAttribute('href'))!;
			const chatId = href.split('/')[2].split('#')[0];
			await page.goto(app.url + '/chat/' + chatId);
			const count = async () =>
				(await app.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM message WHERE chat_id = ?', [chatId]))[0].n;
			const before = await count();
			expect(before).toBeGreaterThan(0);

			await page.getByTestId('chat-menu').locator('> summary').click();
			await page.getByTestId('confirm-clear').locator('summary').click();
			// The first tap asked; nothing is gone yet.
			await expect.poll(() => page.getByText('Yes, clear messages').isVisible()).toBe(true);
			expect(await count()).toBe(before);
			await Promise.all([page.waitForLoadState('load'), page.getByText('Yes, clear messages').click()]);
			await expect.poll(count).toBe(0);

			await page.getByTestId('chat-menu').locator('> summary').click();
			await page.getByTestId('confirm-delete').locator('summary').click();
			const chats = async () =>
				(await app.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM chat WHERE id = ?', [chatId]))[0].n;
			expect(await chats()).toBe(1);
			await Promise.all([
				page.waitForURL((u) => !u.pathname.startsWith('/chat/' + chatId)),
				page.getByText('Yes, delete chat').click()
			]);
			expect(await chats()).toBe(0);
			await ctx.close();
		});
	}
});
