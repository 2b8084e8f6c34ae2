import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone, screenshot } from '../helpers/browser';

async function chatTitles(page: Page, base: string) {
	await page.goto(base + '/');
	return (await page.locator('[data-testid=chat-list] a[href^="/chat/"]').allInnerTexts()).sort();
}

describe('moving to another device (browser)', () => {
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

	async function showCode(page: Page) {
		await page.goto(app.url + '/me');
		await page.getByRole('button', { name: 'Use on another device' }).click();
		const code = (await page.getByTestId('code').innerText()).trim();
		const url = await page.getByTestId('link-url').getAttribute('href');
		return { code, url: url! };
	}

	it('types the code shown on one phone into another, without JavaScript there, and sees the same chats', async () => {
		const first = await (await phone()).newPage();
		await first.goto(app.url + '/');
		await first.goto(app.url + '/me');
		const created = await first.request.post(app.url + '/api/trpc/chats.create', {
			data: { title: 'Only on the first phone' },
			headers: { origin: app.url }
		});
		expect(created.status()).toBe(200);
		const { code } = await showCode(first);
		expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
		expect(await first.locator('[data-testid=link-code] svg').count()).toBe(1);
		await screenshot(first, 'devices-code');

		const secondCtx = await phone({ javaScriptEnabled: false });
		const second = await secondCtx.newPage();
		await second.goto(app.url + '/me');
		await second.getByLabel(/Have a code/).fill(code);
		await second.getByRole('button', { name: 'Sign in on this browser' }).click();
		await second.getByText('now signed in to your account').waitFor();
		expect(second.url()).toBe(app.url + '/me#devices');
		expect(await chatTitles(second, app.url)).toEqual(await chatTitles(first, app.url));
		expect((await chatTitles(second, app.url)).some((t) => t.includes('Only on the first phone'))).toBe(true);

		await first.goto(app.url + '/me');
		expect(await first.getByTestId('device').count()).toBe(2);
		// Two devices, two sessions: the cookies differ.
		const a = (await first.context().cookies()).find((c) => c.name === 'oreai_session')!.value;
		const b = (await secondCtx.cookies()).find((c) => c.name === 'oreai_session')!.value;
		expect(a).not.toBe(b);
	});

	it('opens the QR link on a laptop, confirms, and lands in the same account; the link then is spent', async () => {
		const first = await (await phone()).newPage();
		await first.goto(app.url + '/');
		const { url } = await showCode(first);
		const laptop = await (await phone({ width: 1280, height: 800 })).newPage();
		await laptop.goto(url);
		await laptop.getByRole('button', { name: 'Sign in on this browser' }).click();
		await laptop.getByText('now signed in to your account').waitFor();
		expect(await chatTitles(laptop, app.url)).toEqual(await chatTitles(first, app.url));

		const late = await (await phone()).newPage();
		await late.goto(url);
		await late.getByRole('button', { name: 'Sign in on this browser' }).click();
		await expect(late.getByRole('alert').innerText()).resolves.toContain('already used or has expired');
	});
});
