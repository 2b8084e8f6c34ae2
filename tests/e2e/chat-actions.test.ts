import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, screenshot } from '../helpers/browser';

// What a person does to the messages of a chat: copy, edit and resend, regenerate, switch
// versions, delete, stop, jump to the latest; and how the page behaves while doing it, on
// a phone (390×844) and a desktop (1440×900), light and dark, with and without JavaScript.

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const directive = (o: Record<string, unknown>) => `[[mock:${JSON.stringify(o)}]]`;
const MAX_CHARS = 400;
/** A short, quick reply from the demo model. */
const quick = directive({ tokens: 8, delayMs: 5 });

const SIZES = [
	{ name: 'phone', width: 390, height: 844 },
	{ name: 'desktop', width: 1440, height: 900 }
] as const;

async function axe(page: Page) {
	await page.addScriptTag({ path: axePath });
	return page.evaluate(async () => {
		const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
		return result.violations
			.filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
			.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
	});
}

describe('acting on messages', () => {
	let app: RunningApp;
	let browser: Browser;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		[app, browser] = await Promise.all([startApp({ MAX_MESSAGE_CHARS: String(MAX_CHARS) }), launchBrowser()]);
	});
	afterAll(async () => {
		// A context a failed test already closed rejects here; the rest still get closed.
		for (const c of contexts) await c.close().catch(() => undefined);
		await browser?.close();
		await app?.close();
	});

	/** A fresh visitor (its own account and sample chats) in a browser of that size and scheme. */
	async function visitor(
		opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}
	) {
		const width = opts.width ?? 390;
		const mobile = width < 800;
		const ctx = await browser.newContext({
			viewport: { width, height: opts.height ?? 844 },
			isMobile: mobile,
			hasTouch: mobile,
			colorScheme: opts.colorScheme ?? 'light',
			javaScriptEnabled: opts.javaScriptEnabled ?? true,
			bypassCSP: true
		});
		contexts.push(ctx);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		return { ctx, page };
	}

	/** Sends through the API with the page's own cookie, and waits for the reply to finish. */
	async function say(page: Page, chatId: string, body: Record<string, unknown>) {
		const res = await page.request.post(`${app.url}/api/chats/${chatId}/messages`, { data: body });
		expect(res.status()).toBe(200);
		const text = await res.text();
		const start = JSON.parse(
			text
				.split('\n')
				.find((l) => l.startsWith('data:'))!
				.slice(5)
		);
		return start as { userMessageId: string | null; assistantMessageId: string };
	}

	async function newChat(page: Page) {
		const res = await page.request.post(`${app.url}/api/trpc/chats.create`, { data: {} });
		return (await res.json()).result.data.id as string;
	}

	const shownTexts = (page: Page) =>
		page.locator('li[data-role]').evaluateAll((els) => els.map((e) => e.textContent!.trim()));
	const lastReply = 'li[data-role=assistant]:last-of-type';

	for (const size of SIZES) {
		for (const scheme of ['light', 'dark'] as const) {
			it(`switches between a reply's versions, copies it, and its ⋯ menu closes on a tap outside or Escape (${size.name}, ${scheme})`, async () => {
				const { ctx, page } = await visitor({ width: size.width, height: size.height, colorScheme: scheme });
				await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
				const chatId = await newChat(page);
				await say(page, chatId, { content: `Colour? ${directive({ reply: 'Blue, like the sea.' })}` });
				await say(page, chatId, { regenerate: true });
				await page.goto(`${app.url}/chat/${chatId}#latest`);
				await page.waitForLoadState('networkidle');
				const reply = page.locator(lastReply);
				await expect.poll(() => reply.getByTestId('version-label').innerText()).toContain('2/2');
				await reply.getByRole('button', { name: 'Previous version' }).click();
				await expect.poll(() => reply.getByTestId('version-label').innerText()).toContain('1/2');
				expect(await reply.locator('.md').innerText()).toContain('Blue, like the sea.');
				expect(await reply.getByRole('button', { name: 'Previous version' }).isDisabled()).toBe(true);

				await reply.getByTestId('copy-message').click();
				expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('Blue, like the sea.');
				const mine = page.locator('li[data-role=user]').last();
				await mine.getByTestId('copy-message').click();
				expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('Colour?');

				const menu = reply.getByTestId('message-menu');
				await menu.locator('summary').click();
				expect(await menu.getAttribute('open')).not.toBeNull();
				const panel = (await menu.locator('summary + div').boundingBox())!;
				expect(panel.x).toBeGreaterThanOrEqual(0);
				expect(panel.x + panel.width).toBeLessThanOrEqual(size.width);
				expect(await axe(page)).toEqual([]);
				await screenshot(page, `versions-${size.name}-${scheme}`);
				await page.keyboard.press('Escape');
				expect(await menu.getAttribute('open')).toBeNull();
				await menu.locator('summary').click();
				await page.locator('header h1').click();
				expect(await menu.getAttribute('open')).toBeNull();
				// The chat's own ⋯ menu too.
				const chatMenu = page.getByTestId('chat-menu');
				await chatMenu.locator('> summary').click();
				expect(await chatMenu.getAttribute('open')).not.toBeNull();
				await page.locator('main').click({ position: { x: 10, y: 10 } });
				expect(await chatMenu.getAttribute('open')).toBeNull();
				await ctx.close();
			});
		}
	}

	it('edits an earlier message and resends it: the later turns give way to the new branch, and the old one is one tap away', async () => {
		const { page } = await visitor();
		const chatId = await newChat(page);
		await say(page, chatId, { content: `Plan a day in Nara ${quick}` });
		await say(page, chatId, { content: `Add a lunch stop ${quick}` });
		await page.goto(`${app.url}/chat/${chatId}`);
		await page.waitForLoadState('networkidle');
		const first = page.locator('li[data-role=user]').first();
		await first.getByTestId('message-menu').locator('summary').click();
		await first.getByTestId('edit').click();
		await page.locator('[data-testid=edit-form] textarea').fill(`Plan a day in Osaka ${quick}`);
		await page.getByTestId('edit-send').click();
		await page.locator(`${lastReply}[data-status=complete]`).waitFor({ timeout: 15_000 });
		await expect.poll(() => shownTexts(page)).toHaveLength(2);
		expect((await shownTexts(page))[0]).toContain('Plan a day in Osaka');
		await expect.poll(() => first.getByTestId('version-label').innerText()).toContain('2/2');
		await first.getByRole('button', { name: 'Previous version' }).click();
		await expect.poll(() => shownTexts(page)).toHaveLength(4);
		const texts = await shownTexts(page);
		expect(texts[0]).toContain('Plan a day in Nara');
		expect(texts[2]).toContain('Add a lunch stop');
		expect(await axe(page)).toEqual([]);
	});

	it(
		'edits, regenerates, switches versions and deletes without JavaScript, each a form that comes back to the chat',
		{ timeout: 60_000 },
		async () => {
			const { ctx } = await visitor();
			const api = await ctx.newPage();
			await api.goto(app.url + '/');
			const chatId = await newChat(api);
			await say(api, chatId, { content: `First question ${quick}` });
			await say(api, chatId, { content: `Second question ${quick}` });
			const cookies = await ctx.cookies();
			const noJs = await browser.newContext({
				viewport: { width: 390, height: 844 },
				isMobile: true,
				hasTouch: true,
				javaScriptEnabled: false
			});
			contexts.push(noJs);
			await noJs.addCookies(cookies);
			const page = await noJs.newPage();
			const waitDone = async () => {
				await expect
					.poll(async () => page.locator(lastReply).getAttribute('data-status'), { timeout: 15_000, interval: 500 })
					.toBe('complete');
			};
			await page.goto(`${app.url}/chat/${chatId}`);

			// Edit: the menu's link opens the editor on the server; the form sends the new version.
			const first = page.locator('li[data-role=user]').first();
			await first.getByTestId('message-menu').locator('summary').click();
			await first.getByTestId('edit').click();
			await page.waitForURL(/\?edit=\d+#m\d+$/);
			await page.locator('[data-testid=edit-form] textarea').fill(`First question, reworded ${quick}`);
			await page.getByTestId('edit-send').click();
			await page.waitForURL(/#latest$/);
			await waitDone();
			expect(await page.locator('li[data-role]').count()).toBe(2);
			expect(new URL(page.url()).search).not.toContain('/');

			// Back to the first branch with the switcher (a form).
			await page.locator('li[data-role=user]').first().getByRole('button', { name: 'Previous version' }).click();
			await page.waitForURL(/#m\d+$/);
			expect(await page.locator('li[data-role]').count()).toBe(4);
			expect(await page.locator('li[data-role=user]').last().innerText()).toContain('Second question');

			// Regenerate the first answer from its menu; the later turn waits behind the switcher.
			const firstAnswer = page.locator('li[data-role=assistant]').first();
			await firstAnswer.getByTestId('message-menu').locator('summary').click();
			await firstAnswer.getByTestId('regenerate-this').click();
			await page.waitForURL(/#latest$/);
			await waitDone();
			expect(await page.locator('li[data-role]').count()).toBe(2);
			expect(await page.locator(lastReply).getByTestId('version-label').innerText()).toContain('2/2');

			// Delete that new answer: the earlier one and what followed it come back.
			const answer = page.locator(lastReply);
			await answer.getByTestId('message-menu').locator('summary').click();
			await answer.getByTestId('delete-message').click();
			await page.waitForURL(/#latest$/);
			expect(await page.locator('li[data-role]').count()).toBe(4);
			expect(await page.getByTestId('versions').count()).toBe(1); // only the edited question has two
			await screenshot(page, 'versions-nojs');
		}
	);

	for (const javaScriptEnabled of [true, false]) {
		it(`turns Send into Stop while a reply is written, and Stop keeps what arrived (${javaScriptEnabled ? 'with' : 'without'} JavaScript)`, async () => {
			const { page } = await visitor({ javaScriptEnabled });
			const chatId = await (async () => {
				await page.goto(app.url + '/');
				await page.getByTestId('new-chat').click();
				await page.waitForURL(/\/chat\/[0-9a-z]+$/);
				return new URL(page.url()).pathname.split('/').pop()!;
			})();
			await page.locator('#content').fill(`Tell me a long story ${directive({ tokens: 400, delayMs: 40 })}`);
			await page.getByTestId('send').click();
			const stop = page.getByTestId('composer-stop');
			await stop.waitFor({ timeout: 10_000 });
			expect(await page.getByTestId('send').count()).toBe(0);
			await page.waitForTimeout(600);
			await stop.click();
			await expect.poll(() => page.locator(lastReply).getAttribute('data-status'), { timeout: 10_000 }).toBe('stopped');
			await page.getByTestId('send').waitFor();
			const [row] = await app.db.query<{ status: string; content: string }>(
				"SELECT status, content FROM message WHERE chat_id = ? AND role = 'assistant'",
				[chatId]
			);
			expect(row.status).toBe('stopped');
			expect(row.content.length).toBeGreaterThan(0);
			expect(new URL(page.url()).search).not.toContain('/');
		});
	}

	it('opens a long chat at its newest message, offers "Jump to latest" after scrolling up, and the page itself never scrolls', async () => {
		const { ctx, page } = await visitor();
		const chatId = await newChat(page);
		const [{ user_id: owner }] = await app.db.query<{ user_id: string }>('SELECT user_id FROM chat WHERE id = ?', [
			chatId
		]);
		const rows = Array.from({ length: 40 }, (_, i) => [
			chatId,
			owner,
			i % 2 ? 'assistant' : 'user',
			`Message ${i + 1}\n\n${'A line of a long answer. '.repeat(i % 2 ? 12 : 1)}`,
			'complete'
		]);
		await app.db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);
		for (const javaScriptEnabled of [false, true]) {
			const other = await browser.newContext({
				viewport: { width: 390, height: 844 },
				isMobile: true,
				hasTouch: true,
				javaScriptEnabled
			});
			contexts.push(other);
			await other.addCookies(await ctx.cookies());
			const p = await other.newPage();
			await p.goto(app.url + '/');
			await p.locator(`a[href^="/chat/${chatId}"]`).click();
			await p.waitForURL(`**/chat/${chatId}#latest`);
			await p.waitForLoadState('load');
			const main = p.locator('#main');
			await expect.poll(() => main.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(80);
			expect(await p.evaluate(() => document.documentElement.scrollHeight - innerHeight)).toBeLessThanOrEqual(0);
			expect(await p.locator('li[data-role=assistant]').last().isVisible()).toBe(true);
			if (javaScriptEnabled) {
				expect(await p.getByTestId('jump-latest').count()).toBe(0);
				await main.evaluate((el) => el.scrollTo({ top: 0 }));
				await p.getByTestId('jump-latest').waitFor();
				await p.getByTestId('jump-latest').click();
				await expect
					.poll(() => main.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
					.toBeLessThan(80);
				await expect.poll(() => p.getByTestId('jump-latest').count()).toBe(0);
			}
			await other.close();
		}
	});

	it('names a new chat in its header once the first reply is in', async () => {
		const { page } = await visitor();
		await page.getByTestId('new-chat').click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		expect(await page.locator('header h1').innerText()).toBe('New chat');
		await page.locator('#content').fill(`Recipes with leeks and potatoes ${quick}`);
		await page.getByTestId('send').click();
		await expect.poll(() => page.locator('header h1').innerText(), { timeout: 10_000 }).not.toBe('New chat');
		expect(await page.title()).not.toMatch(/^New chat/);
	});

	it('starts a blank chat in one tap, and tapping again reopens it instead of piling up empty chats', async () => {
		const { page } = await visitor();
		const before = await page.locator('[data-testid=chat-list] li').count();
		await page.getByTestId('new-chat').click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		const first = page.url();
		await page.goto(app.url + '/');
		await page.getByTestId('new-chat').click();
		await page.waitForURL(/\/chat\/[0-9a-z]+$/);
		expect(page.url()).toBe(first);
		await page.goto(app.url + '/');
		expect(await page.locator('[data-testid=chat-list] li').count()).toBe(before + 1);
	});

	it('announces a reply that fails in front of the reader, but not failures stored in the history', async () => {
		const { page } = await visitor();
		const chatId = await newChat(page);
		await page.goto(`${app.url}/chat/${chatId}`);
		await page.waitForLoadState('networkidle');
		await page.locator('#content').fill(`Fail now ${directive({ fault: 'http500' })}`);
		await page.getByTestId('send').click();
		await page.locator(`${lastReply}[data-status=error]`).waitFor({ timeout: 10_000 });
		expect(await page.locator(`${lastReply} [role=alert]`).count()).toBe(1);
		// The page takes in the server's view after a reply ends; the live failure stays announced.
		await page.waitForLoadState('networkidle');
		expect(await page.locator(`${lastReply} [role=alert]`).count()).toBe(1);
		await page.reload();
		await page.waitForLoadState('networkidle');
		expect(await page.getByTestId('reply-error').count()).toBe(1);
		expect(await page.locator('[data-testid=messages] [role=alert]').count()).toBe(0);
	});

	it('says the length limit and counts characters as a message nears it, with and without JavaScript', async () => {
		const { page } = await visitor();
		const chatId = await newChat(page);
		await page.goto(`${app.url}/chat/${chatId}`);
		await page.waitForLoadState('networkidle');
		expect(await page.getByTestId('char-count').count()).toBe(0);
		await page.locator('#content').fill('x'.repeat(MAX_CHARS + 5));
		const counter = page.getByTestId('char-count');
		await expect.poll(() => counter.innerText()).toBe(`${MAX_CHARS + 5} / ${MAX_CHARS} characters`);
		expect(await page.getByTestId('send').isDisabled()).toBe(true);
		await page.locator('#content').fill('x'.repeat(MAX_CHARS - 10));
		await expect.poll(() => page.getByTestId('send').isDisabled()).toBe(false);
		expect(await axe(page)).toEqual([]);

		const noJs = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
		contexts.push(noJs);
		await noJs.addCookies(await page.context().cookies());
		const plain = await noJs.newPage();
		await plain.goto(`${app.url}/chat/${chatId}`);
		await plain.locator('#content').fill('y'.repeat(MAX_CHARS + 1));
		await plain.getByTestId('send').click();
		await plain.getByTestId('send-error').waitFor();
		expect(await plain.getByTestId('send-error').innerText()).toContain(`at most ${MAX_CHARS} characters`);
		expect(await plain.getByTestId('char-count').innerText()).toContain(`/ ${MAX_CHARS}`);
		// The text comes back to be shortened, not lost.
		expect((await plain.locator('#content').inputValue()).length).toBe(MAX_CHARS + 1);
	});

	it('says a send failed for want of a connection, not the AI service, and keeps the text', async () => {
		const { ctx, page } = await visitor();
		const chatId = await newChat(page);
		await page.goto(`${app.url}/chat/${chatId}`);
		await page.waitForLoadState('networkidle');
		await ctx.setOffline(true);
		await page.locator('#content').fill('Are you there?');
		await page.getByTestId('send').click();
		await page.getByTestId('send-error').waitFor();
		expect(await page.getByTestId('send-error').innerText()).toMatch(/offline/i);
		expect(await page.getByTestId('send-error').innerText()).not.toMatch(/AI service/);
		expect(await page.locator('#content').inputValue()).toBe('Are you there?');
		await ctx.setOffline(false);
	});

	it('shows "reconnecting" when the connection drops mid-reply, and picks the reply up again', async () => {
		const ctx = await browser.newContext({
			viewport: { width: 390, height: 844 },
			isMobile: true,
			hasTouch: true,
			// Requests must reach the test's interception, not the offline shell's worker.
			serviceWorkers: 'block'
		});
		contexts.push(ctx);
		const page = await ctx.newPage();
		await page.goto(app.url + '/');
		const chatId = await newChat(page);
		// The reply stream breaks after its first words...
		await page.route(`**/api/chats/${chatId}/messages`, async (route) => {
			const res = await route.fetch();
			const text = await res.text();
			const firstTwo = text.split('\n\n').slice(0, 2).join('\n\n') + '\n\n';
			await route.fulfill({ status: 200, headers: res.headers(), body: firstTwo });
		});
		// ...and the network stays down for the first tries to pick it up.
		let refused = 0;
		await page.route(`**/api/chats/${chatId}/messages/*/stream`, async (route) => {
			if (refused++ < 2) return route.abort('internetdisconnected');
			return route.continue();
		});
		await page.goto(`${app.url}/chat/${chatId}`);
		await page.waitForLoadState('networkidle');
		await page
			.locator('#content')
			.fill(`Tell me ${directive({ reply: 'One two three four five six seven.', delayMs: 20 })}`);
		await page.getByTestId('send').click();
		await page.getByTestId('reconnecting').waitFor({ timeout: 10_000 });
		expect(await page.getByTestId('reconnecting').getAttribute('role')).toBe('status');
		await page.locator(`${lastReply}[data-status=complete]`).waitFor({ timeout: 15_000 });
		expect(await page.getByTestId('reconnecting').count()).toBe(0);
		expect(await page.locator(`${lastReply} .md`).innerText()).toBe('One two three four five six seven.');
	});
});
