import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

const fixture = fileURLToPath(new URL('../fixtures/chatgpt-conversations.json', import.meta.url));

describe('sharing and importing chats (browser)', () => {
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

	it('shares from the chat menu; a reader without JavaScript reads it and continues it in their own account', async () => {
		const owner = await (await phone()).newPage();
		await owner.goto(app.url + '/');
		const href = await owner.locator('[data-testid=chat-list] a[href^="/chat/"]').first().getAttribute('href');
		await owner.goto(app.url + href);
		const ownerReplies = await owner.locator('li[data-role=assistant]').count();
		expect(ownerReplies).toBeGreaterThan(0);
		await owner.getByLabel('Chat options').click();
		await owner.getByRole('button', { name: 'Share' }).click();
		await owner.waitForURL(/\/s\/[0-9a-z]{20}$/);
		await expect(owner.getByTestId('share-note').innerText()).resolves.toContain('your shared link');
		const link = owner.url();
		expect(await owner.getByTestId('share-url').inputValue()).toBe(link);

		const reader = await (await phone({ javaScriptEnabled: false })).newPage();
		await reader.goto(link);
		expect(await reader.locator('[data-testid=shared-messages] li[data-role=assistant]').count()).toBe(ownerReplies);
		expect(await reader.locator('textarea').count()).toBe(0);
		await screenshot(reader, 'shared-chat');
		await reader.getByRole('button', { name: 'Continue this chat' }).click();
		await reader.waitForURL(/\/chat\/[0-9a-z]+$/);
		expect(await reader.locator('li[data-role=assistant]').count()).toBe(ownerReplies);
		expect(await reader.locator('textarea').count()).toBe(1);
	});

	it('imports a ChatGPT export from Me without JavaScript and lists the imported chats', async () => {
		const page = await (await phone({ javaScriptEnabled: false })).newPage();
		await page.goto(app.url + '/me');
		await page.locator('input[type=file][name=file]').setInputFiles(fixture);
		await page.getByRole('button', { name: 'Import', exact: true }).click();
		await page.getByTestId('import-report').waitFor();
		await expect(page.getByTestId('import-report').innerText()).resolves.toContain('Imported 2 chats with 6 messages');
		await screenshot(page, 'import-report');
		await page.goto(app.url + '/');
		await expect(page.locator('[data-testid=chat-list]').innerText()).resolves.toContain('Paris trip');
	});
});
