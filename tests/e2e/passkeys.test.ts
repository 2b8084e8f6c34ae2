import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, quickStart, startApp, type RunningApp } from '../helpers/app';
import { launchBrowser, newPhone } from '../helpers/browser';

interface Authenticator {
	cdp: CDPSession;
	id: string;
}

/** Chromium's virtual authenticator: a platform passkey (CTAP2, internal, resident key, UV). */
async function virtualAuthenticator(page: Page): Promise<Authenticator> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			automaticPresenceSimulation: true
		}
	});
	return { cdp, id: authenticatorId };
}

describe('passkeys (browser, virtual authenticator)', () => {
	let app: RunningApp;
	let base: string;
	let browser: Browser;
	const contexts: BrowserContext[] = [];
	const phone = async () => {
		const ctx = await newPhone(browser);
		contexts.push(ctx);
		return ctx.newPage();
	};
	const titles = async (page: Page) => {
		await page.goto(base + '/');
		return (await page.locator('[data-testid=chat-list] a[href^="/chat/"]').allInnerTexts()).sort();
	};

	beforeAll(async () => {
		// WebAuthn wants a domain, not an IP address: plain http://localhost is a secure context.
		const port = await freePort();
		base = `http://localhost:${port}`;
		[app, browser] = await Promise.all([startApp({ PORT: String(port), ORIGIN: base }), launchBrowser()]);
	});
	afterAll(async () => {
		// A context a failed test already closed rejects here; the rest still get closed.
		for (const c of contexts) await c.close().catch(() => undefined);
		await browser?.close();
		await app?.close();
	});

	let credential: unknown;
	let signedIn: Page;
	let firstTitles: string[];

	it('adds a passkey on Me', async () => {
		const page = await phone();
		await page.goto(base + '/');
		await page.request.post(base + '/api/trpc/chats.create', {
			data: { title: 'Kept by a passkey' },
			headers: { origin: base }
		});
		firstTitles = await titles(page);
		await page.goto(base + '/me');
		const auth = await virtualAuthenticator(page);
		await page.getByRole('button', { name: 'Add a passkey' }).click();
		await page.getByText('Passkey added').waitFor();
		expect(await page.getByTestId('passkey').count()).toBe(1);
		// Signing in with it in the same browser keeps the account it already is.
		await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
		await page.getByText('already using').waitFor();
		// The passkey as it is now (its signature counter included), to sync to another browser.
		const { credentials } = await auth.cdp.send('WebAuthn.getCredentials', { authenticatorId: auth.id });
		expect(credentials).toHaveLength(1);
		expect(credentials[0].isResidentCredential).toBe(true);
		credential = credentials[0];
	});

	it('signs another browser in with the same passkey (synced to it) and shows the same chats', async () => {
		const page = await phone();
		await page.goto(base + '/me');
		const auth = await virtualAuthenticator(page);
		await auth.cdp.send('WebAuthn.addCredential', { authenticatorId: auth.id, credential: credential as never });
		expect(await titles(page)).not.toEqual(firstTitles);
		await page.goto(base + '/me');
		await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
		await page.getByText('now signed in to your account').waitFor();
		expect(await titles(page)).toEqual(firstTitles);
		await page.goto(base + '/me');
		expect(await page.getByTestId('device').count()).toBe(2);
		signedIn = page;
		const { credentials } = await auth.cdp.send('WebAuthn.getCredentials', { authenticatorId: auth.id });
		// Current counter: a stale copy would be refused as a clone, which is not what the next test is about.
		credential = credentials[0];
	});

	it('refuses a removed passkey', async () => {
		await signedIn.goto(base + '/me');
		await signedIn.getByRole('button', { name: 'Remove' }).click();
		await signedIn.getByText('Passkey removed').waitFor();
		expect(await signedIn.getByTestId('passkey').count()).toBe(0);

		const late = await phone();
		await late.goto(base + '/me');
		const auth = await virtualAuthenticator(late);
		await auth.cdp.send('WebAuthn.addCredential', { authenticatorId: auth.id, credential: credential as never });
		await late.getByRole('button', { name: 'Sign in with a passkey' }).click();
		await expect(late.getByRole('alert').innerText()).resolves.toContain('could not be checked');
	});
});

describe('passkeys on the quick start (no ORIGIN set)', () => {
	let app: RunningApp;
	let browser: Browser;
	let base: string;

	beforeAll(async () => {
		const port = await freePort();
		base = `http://localhost:${port}`;
		[app, browser] = await Promise.all([startApp({ ...quickStart, PORT: String(port) }), launchBrowser()]);
	});
	afterAll(async () => {
		await browser?.close();
		await app?.close();
	});

	it('adds a passkey at http://localhost and signs a second browser in with it', async () => {
		const first = await (await newPhone(browser)).newPage();
		await first.goto(base + '/me');
		const auth = await virtualAuthenticator(first);
		await first.getByRole('button', { name: 'Add a passkey' }).click();
		await first.getByText('Passkey added').waitFor();
		const { credentials } = await auth.cdp.send('WebAuthn.getCredentials', { authenticatorId: auth.id });
		const [{ user_id: owner }] = await app.db.query<{ user_id: string }>('SELECT user_id FROM passkey');

		const second = await (await newPhone(browser)).newPage();
		await second.goto(base + '/me');
		const other = await virtualAuthenticator(second);
		await other.cdp.send('WebAuthn.addCredential', { authenticatorId: other.id, credential: credentials[0] });
		await second.getByRole('button', { name: 'Sign in with a passkey' }).click();
		await second.getByText('now signed in to your account').waitFor();
		// The second browser now holds a session of the passkey's owner, beside the first one's.
		expect(await app.db.query('SELECT id FROM session WHERE user_id = ?', [owner])).toHaveLength(2);
	});
});
