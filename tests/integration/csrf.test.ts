import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickStart, startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

// Plain-http self-hosting (no ORIGIN) and CSRF on every state-changing request: a request from
// this app's own origin works, one from any other origin (another port of the same host
// included) is refused whatever its content type, and nothing changes.

async function chatCount(app: RunningApp, userId: string) {
	const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat WHERE user_id = ?', [userId]);
	return Number(n);
}

async function userIdOf(v: Visitor) {
	const { body } = await v.query('me.get');
	return body.result.data.id as string;
}

describe('with ORIGIN unset (the quick start)', () => {
	let app: RunningApp;
	let port: string;
	let self: string;
	let other: string;

	beforeAll(async () => {
		app = await startApp(quickStart);
		port = new URL(app.url).port;
		self = `http://127.0.0.1:${port}`;
		other = `http://127.0.0.1:${Number(port) + 1}`;
	}, 60_000);
	afterAll(() => app?.close());

	it('sets a session cookie that is not Secure over plain http', async () => {
		const res = await fetch(self + '/', { redirect: 'manual' });
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='));
		expect(cookie).toBeDefined();
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).not.toMatch(/;\s*Secure/i);
	});

	it('marks the cookie Secure when a trusted proxy says the browser used https', async () => {
		const proxied = await startApp({ ...quickStart, PROTOCOL_HEADER: 'x-forwarded-proto' });
		try {
			const res = await fetch(proxied.url + '/', { headers: { 'x-forwarded-proto': 'https' } });
			expect(res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='))).toMatch(/;\s*Secure/i);
			// Without the setting the same header is not believed.
			const plain = await fetch(self + '/', { headers: { 'x-forwarded-proto': 'https' } });
			expect(plain.headers.getSetCookie().find((c) => c.startsWith('oreai_session='))).not.toMatch(/;\s*Secure/i);
		} finally {
			await proxied.close();
		}
	}, 60_000);

	it('accepts a form post from the page’s own origin, by 127.0.0.1 or by localhost', async () => {
		for (const base of [self, `http://localhost:${port}`]) {
			const v = await Visitor.arrive(base);
			const before = await chatCount(app, await userIdOf(v));
			const res = await v.fetch('/discover?/start', {
				method: 'POST',
				headers: {
					origin: base,
					'content-type': 'application/x-www-form-urlencoded',
					accept: 'text/html'
				},
				body: ''
			});
			expect(res.status, base).toBe(303);
			expect(res.headers.get('location')).toMatch(/^\/chat\/[0-9a-z]+$/);
			expect(await chatCount(app, await userIdOf(v))).toBe(before + 1);
		}
	});

	it('refuses every kind of state-changing request from another port of the same host, and changes nothing', async () => {
		const v = await Visitor.arrive(self);
		const userId = await userIdOf(v);
		const [chatId] = await v.chatIds();
		const before = await chatCount(app, userId);
		const attempts: [string, RequestInit][] = [
			['/discover?/start', { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
			[`/chat/${chatId}?/delete`, { body: '', headers: { 'content-type': 'multipart/form-data; boundary=x' } }],
			[`/chat/${chatId}?/clear`, { body: 'x', headers: { 'content-type': 'text/plain' } }],
			// No body and no Content-Type at all: the case SvelteKit's check never looked at.
			['/api/trpc/chats.deleteAll', {}],
			[`/api/chats/${chatId}/messages/1/stop`, {}],
			['/api/trpc/chats.create', { body: '{}', headers: { 'content-type': 'application/json' } }],
			[`/api/chats/${chatId}/messages`, { body: '{"content":"hi"}', headers: { 'content-type': 'application/json' } }]
		];
		for (const [path, init] of attempts) {
			const res = await v.fetch(path, { method: 'POST', ...init, headers: { ...init.headers, origin: other } });
			expect(res.status, path).toBe(403);
			if (path.startsWith('/api/')) expect((await res.json()).code, path).toBe('forbidden');
		}
		for (const method of ['PUT', 'PATCH', 'DELETE']) {
			const res = await v.fetch('/api/trpc/chats.deleteAll', { method, headers: { origin: other } });
			expect(res.status, method).toBe(403);
		}
		expect(await chatCount(app, userId)).toBe(before);
	});

	it('judges a request without Origin by Sec-Fetch-Site, then by Referer', async () => {
		const v = await Visitor.arrive(self);
		const userId = await userIdOf(v);
		const before = await chatCount(app, userId);
		const post = (headers: Record<string, string>) =>
			fetch(self + '/api/trpc/chats.deleteAll', {
				method: 'POST',
				headers: { cookie: v.cookie, ...headers },
				redirect: 'manual'
			});
		expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
		expect((await post({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
		expect((await post({ referer: other + '/' })).status).toBe(403);
		expect((await post({ origin: 'null' })).status).toBe(403);
		expect(await chatCount(app, userId)).toBe(before);
		expect((await post({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
		expect(await chatCount(app, userId)).toBe(0);
	});

	it('lets a client that sends no browser headers at all (curl) act with its own cookie', async () => {
		const v = await Visitor.arrive(self);
		const res = await fetch(self + '/api/trpc/chats.create', {
			method: 'POST',
			headers: { cookie: v.cookie, 'content-type': 'application/json' },
			body: '{}'
		});
		expect(res.status).toBe(200);
	});
});

describe('with ORIGIN set', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp();
	}, 60_000);
	afterAll(() => app?.close());

	it('accepts only that origin', async () => {
		const v = await Visitor.arrive(app.url);
		const userId = await userIdOf(v);
		const before = await chatCount(app, userId);
		const port = new URL(app.url).port;
		const res = await v.fetch('/api/trpc/chats.create', {
			method: 'POST',
			headers: { origin: `http://localhost:${port}`, 'content-type': 'application/json' },
			body: '{}'
		});
		expect(res.status).toBe(403);
		expect(await chatCount(app, userId)).toBe(before);
		const ok = await v.mutate('chats.create', {});
		expect(ok.status).toBe(200);
		expect(await chatCount(app, userId)).toBe(before + 1);
	});
});
