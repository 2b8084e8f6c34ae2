import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

describe('auto-registration', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp({ REGISTER_LIMIT: '5', REGISTER_WINDOW_SECONDS: '600' });
	});
	afterAll(() => app?.close());

	it('gives a first visitor an HttpOnly, SameSite=Lax session cookie and sample chats', async () => {
		const res = await fetch(app.url + '/');
		expect(res.status).toBe(200);
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).not.toMatch(/Secure/i);
		const html = await res.text();
		expect((html.match(/href="\/chat\/[a-z0-9]+#latest"/g) ?? []).length).toBeGreaterThanOrEqual(3);
	});

	it('marks the cookie Secure when served over HTTPS behind a proxy', async () => {
		const proxied = await startApp({ ORIGIN: 'https://chat.example.org', REGISTER_LIMIT: '5' });
		try {
			const res = await fetch(proxied.url + '/');
			const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='))!;
			expect(cookie).toMatch(/Secure/);
		} finally {
			await proxied.close();
		}
	});

	it('keeps the same user while the cookie comes back', async () => {
		const v = await Visitor.arrive(app.url);
		const before = (await v.query('me.get')).body.result.data.id;
		await v.html('/');
		expect((await v.query('me.get')).body.result.data.id).toBe(before);
		const [{ n }] = await app.db.query<{ n: number }>(
			'SELECT COUNT(*) n FROM user WHERE id = ? AND last_seen_at IS NOT NULL',
			[before]
		);
		expect(Number(n)).toBe(1);
	});

	it('extends a session that is used in its second half, with a fresh cookie', async () => {
		const v = await Visitor.arrive(app.url);
		const id = v.cookie.split('=')[1];
		await app.db.query('UPDATE session SET expires_at = UTC_TIMESTAMP() + INTERVAL 2 DAY WHERE id = ?', [id]);
		const res = await v.fetch('/');
		await res.text();
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='));
		expect(cookie).toMatch(/Max-Age=2592000/);
		const [row] = await app.db.query<{ days: number }>(
			'SELECT TIMESTAMPDIFF(DAY, UTC_TIMESTAMP(), expires_at) days FROM session WHERE id = ?',
			[id]
		);
		expect(Number(row.days)).toBeGreaterThanOrEqual(29);
	});

	it('answers 429 with a readable page past the per-address limit and stops creating rows', async () => {
		// Earlier tests in this file used 4 of the 5 registrations from 127.0.0.1.
		const statuses: number[] = [];
		for (let i = 0; i < 8; i++) {
			const res = await fetch(app.url + '/', { headers: { 'accept-language': 'en' } });
			statuses.push(res.status);
			if (res.status === 429) {
				expect(res.headers.get('content-type')).toMatch(/text\/html/);
				expect(await res.text()).toMatch(/Too many new visitors/);
			} else await res.text();
		}
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
		const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM user');
		expect(Number(n)).toBe(5);
	});

	it('answers the API with 401 instead of registering', async () => {
		const res = await fetch(app.url + '/api/trpc/chats.list');
		expect(res.status).toBe(401);
	});
});
