import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

// The offline shell: an installed app opens without a connection to the chat list it saved,
// says plainly that it is offline, and never queues a write to send later.

describe('offline', () => {
	let app: RunningApp;
	let browser: Browser;

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp(), launchBrowser()]);
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	for (const colorScheme of ['light', 'dark'] as const) {
		it(`opens the saved chat list and a saved chat without a connection, says it is offline, and sends nothing (${colorScheme})`, async () => {
			const ctx = await newPhone(browser);
			const page = await ctx.newPage();
			await page.emulateMedia({ colorScheme });
			await page.goto(app.url + '/');
			await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
			// Once the worker runs, the pages seen online are kept.
			await page.reload();
			const chatHref = (await page.locator('[data-testid=chat-list] a').first().getAttribute('href'))!;
			const titles = await page.locator('[data-testid=chat-list] li').allInnerTexts();
			await page.goto(app.url + chatHref);
			await page.waitForLoadState('networkidle');
			expect(await page.getByTestId('offline').count()).toBe(0);

			await ctx.setOffline(true);
			await page.goto(app.url + '/');
			expect(await page.locator('[data-testid=chat-list] li').allInnerTexts()).toEqual(titles);
			await page.getByTestId('offline').waitFor();
			expect(await page.getByTestId('offline').innerText()).toMatch(/offline/i);
			await screenshot(page, `offline-${colorScheme}`);

			await page.goto(app.url + chatHref);
			await page.getByTestId('offline').waitFor();
			expect(await page.locator('li[data-role]').count()).toBeGreaterThan(0);
			const marker = `Queued? ${Date.now()}`;
			await page.locator('#content').fill(marker);
			await page.getByTestId('send').click();
			await page.getByTestId('send-error').waitFor();
			expect(await page.locator('#content').inputValue()).toBe(marker);

			// Back online: the page says so, and nothing was sent behind the person's back.
			await ctx.setOffline(false);
			await expect.poll(() => page.getByTestId('offline').count()).toBe(0);
			await page.waitForTimeout(1000);
			expect(await app.db.query('SELECT id FROM message WHERE content = ?', [marker])).toEqual([]);
			await ctx.close();
		});
	}

	it('forgets the saved copy of a deleted chat, and every saved page once the device is signed out', async () => {
		const ctx = await newPhone(browser);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
		await page.reload();
		const hrefs = await page
			.locator('[data-testid=chat-list] a')
			.evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
		// Links open a chat at its newest message: `/chat/<id>#latest`.
		const [deleted, kept] = hrefs.map((h) => h.split('#')[0]);
		const deletedId = deleted.split('/').pop();
		for (const href of [deleted, kept]) {
			await page.goto(app.url + href);
			await page.waitForLoadState('networkidle');
		}
		const savedText = await page.locator('li[data-role]').first().innerText();

		// A chat deleted (here from another device) answers 404 online: its copy goes too.
		const [{ user_id: userId }] = await app.db.query<{ user_id: string }>('SELECT user_id FROM chat WHERE id = ?', [
			deletedId
		]);
		await app.db.query('DELETE FROM message WHERE chat_id = ?', [deletedId]);
		await app.db.query('DELETE FROM chat WHERE id = ?', [deletedId]);
		expect((await page.goto(app.url + deleted))!.status()).toBe(404);
		await ctx.setOffline(true);
		// Offline, a chat with no copy opens the saved chat list instead.
		await page.goto(app.url + deleted);
		await page.locator('[data-testid=chat-list]').waitFor();
		expect(await page.locator('li[data-role]').count()).toBe(0);

		// Signed out from elsewhere: the next page online is someone new's, and offline nothing
		// of the person before can be opened.
		await ctx.setOffline(false);
		await app.db.query('DELETE FROM session WHERE user_id = ?', [userId]);
		await page.goto(app.url + '/');
		await page.waitForLoadState('networkidle');
		const newHrefs = await page
			.locator('[data-testid=chat-list] a')
			.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
		expect(newHrefs.map((h) => h?.split('#')[0])).not.toContain(kept);
		await ctx.setOffline(true);
		await page.goto(app.url + kept);
		await page.locator('[data-testid=chat-list]').waitFor();
		expect(await page.locator('li[data-role]').count()).toBe(0);
		expect(await page.content()).not.toContain(savedText);
		expect(
			await page.locator('[data-testid=chat-list] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
		).not.toContain(kept);
		await ctx.close();
	});
});
