import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { freePort, startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

const userCount = async (app: RunningApp) =>
	Number((await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM user'))[0].n);

describe('health and readiness', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp();
	});
	afterAll(() => app?.close());

	it('answers /healthz with 200 and creates no user or session', async () => {
		const before = await userCount(app);
		const res = await fetch(app.url + '/healthz');
		expect(res.status).toBe(200);
		expect(await res.text()).toBe('ok\n');
		expect(res.headers.getSetCookie()).toEqual([]);
		expect(await userCount(app)).toBe(before);
	});

	it('answers /readyz with 200 once migrations are applied and the database answers', async () => {
		const before = await userCount(app);
		const res = await fetch(app.url + '/readyz');
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			ready: true,
			checks: { draining: 'ok', migrations: 'ok', database: 'ok' }
		});
		expect(res.headers.getSetCookie()).toEqual([]);
		expect(await userCount(app)).toBe(before);
	});

	it('answers /readyz with 503 naming Redis when the configured Redis does not answer', async () => {
		const deadPort = await freePort();
		const other = await startApp({ REDIS_URL: `redis://127.0.0.1:${deadPort}`, REDIS_PREFIX: 'oreai-test-dead:' });
		try {
			const res = await fetch(other.url + '/readyz');
			expect(res.status).toBe(503);
			const body = await res.json();
			expect(body.ready).toBe(false);
			expect(body.checks.redis).toBe('unreachable');
			expect(body.checks.database).toBe('ok');
			// Liveness does not depend on Redis.
			expect((await fetch(other.url + '/healthz')).status).toBe(200);
		} finally {
			await other.close();
		}
	});
});

describe('metrics', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp({ REGISTER_LIMIT: '2', REGISTER_WINDOW_SECONDS: '600' });
	});
	afterAll(() => app?.close());

	it('serves Prometheus metrics to this machine without a token, creating no user', async () => {
		const before = await userCount(app);
		const res = await fetch(app.url + '/metrics');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await res.text();
		for (const name of [
			'oreai_live_streams',
			'oreai_first_token_seconds_bucket',
			'oreai_quota_refusals_total',
			'oreai_registrations_total',
			'process_resident_memory_bytes'
		])
			expect(text).toContain(name);
		expect(await userCount(app)).toBe(before);
	});

	it('counts registrations and refused registrations', async () => {
		const value = async (name: string) => {
			const text = await (await fetch(app.url + '/metrics')).text();
			return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
		};
		const created = await value('oreai_registrations_total');
		await Visitor.arrive(app.url);
		await Visitor.arrive(app.url);
		expect((await fetch(app.url + '/')).status).toBe(429);
		expect(await value('oreai_registrations_total')).toBe(created + 2);
		expect(await value('oreai_registrations_refused_total')).toBeGreaterThanOrEqual(1);
	});

	it('with METRICS_TOKEN, refuses a missing or wrong bearer token and accepts the right one', async () => {
		const token = 'metrics-token-for-the-test-0123456789';
		const guarded = await startApp({ METRICS_TOKEN: token });
		try {
			expect((await fetch(guarded.url + '/metrics')).status).toBe(403);
			const wrong = await fetch(guarded.url + '/metrics', { headers: { authorization: 'Bearer nope' } });
			expect(wrong.status).toBe(403);
			expect(await wrong.text()).not.toContain('oreai_');
			const right = await fetch(guarded.url + '/metrics', { headers: { authorization: `Bearer ${token}` } });
			expect(right.status).toBe(200);
			expect(await right.text()).toContain('oreai_live_streams');
		} finally {
			await guarded.close();
		}
	});

	it('refuses /metrics without a token to a client that is not this machine', async () => {
		// Behind a proxy the client address comes from a header; a remote one is refused.
		const proxied = await startApp({ ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' });
		try {
			const res = await fetch(proxied.url + '/metrics', { headers: { 'x-forwarded-for': '203.0.113.7' } });
			expect(res.status).toBe(403);
		} finally {
			await proxied.close();
		}
	});
});

describe('reply metrics', () => {
	let app: RunningApp;
	let mock: Awaited<ReturnType<typeof startMockServer>>;
	beforeAll(async () => {
		mock = await startMockServer({ tokens: 5 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test', DEFAULT_QUOTA: '3' });
	});
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	const metric = async (pattern: string) => {
		const text = await (await fetch(app.url + '/metrics')).text();
		const line = text.split('\n').find((l) => l.startsWith(pattern + ' '));
		return line ? Number(line.slice(pattern.length + 1)) : 0;
	};
	const newChat = async (v: Visitor) => (await v.mutate('chats.create', {})).body.result.data.id as string;

	it('shows a live reply, then its first-token latency, and upstream errors by code', async () => {
		const v = await Visitor.arrive(app.url);
		const chatId = await newChat(v);
		const res = await v.send(chatId, { content: '[[mock:{"tokens":30,"delayMs":40}]] slow one' });
		expect(res.status).toBe(200);
		await new Promise((r) => setTimeout(r, 300));
		expect(await metric('oreai_live_streams')).toBe(1);
		await readSse(res, () => {});
		expect(await metric('oreai_live_streams')).toBe(0);
		expect(await metric('oreai_first_token_seconds_count')).toBe(1);

		const failed = await v.send(chatId, { content: '[[mock:{"fault":"context_length_exceeded"}]] too long' });
		await readSse(failed, () => {});
		expect(await metric('oreai_upstream_errors_total{code="context_too_long"}')).toBe(1);
	});

	it('counts a message refused for lack of quota', async () => {
		const v = await Visitor.arrive(app.url);
		const chatId = await newChat(v);
		for (let i = 0; i < 3; i++) await readSse(await v.send(chatId, { content: `q${i}` }), () => {});
		const before = await metric('oreai_quota_refusals_total');
		const refused = await v.send(chatId, { content: 'one more' });
		expect(refused.status).toBe(403);
		expect(await metric('oreai_quota_refusals_total')).toBe(before + 1);
	});
});
