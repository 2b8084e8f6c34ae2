import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { readSse, textOf, Visitor, type SseEvent } from '../helpers/visitor';

// Two real app processes (node build) on one MariaDB database and one Redis, as behind a
// load balancer: replies, stops, chat locks and leases hold across them.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const LEASE_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await probe();
		if (v) return v;
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await sleep(25);
	}
}

/** Reads an SSE response in the background; `until` waits for a condition on the events. */
function follow(res: Response) {
	const events: SseEvent[] = [];
	let ended = 0;
	const finished = readSse(res, (e) => events.push(e)).then((all) => {
		ended = Date.now();
		return all;
	});
	// A reader whose server is killed sees the connection end; the test checks what it got.
	// Callers await `finished` where it matters; this only keeps an early failure from going unhandled.
	finished.catch(() => undefined);
	const until = (pred: (e: SseEvent[]) => boolean, timeoutMs = 10_000) => waitFor(async () => pred(events), timeoutMs);
	return { events, finished, until, endedAt: () => ended };
}

const deltaCount = (events: SseEvent[]) => events.filter((e) => e.event === 'delta').length;

describe('two processes sharing one database and one Redis', () => {
	let db: TestDatabase;
	let a: RunningApp;
	let b: RunningApp;
	let mock: Awaited<ReturnType<typeof startMockServer>>;
	let redis: Redis;
	const prefix = `oreai-test-${randomBytes(4).toString('hex')}:`;
	let env: Record<string, string>;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 10 });
		db = await createTestDatabase();
		redis = new Redis(REDIS_URL);
		env = {
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test',
			REDIS_URL,
			REDIS_PREFIX: prefix,
			LEASE_SECONDS: String(LEASE_SECONDS),
			REGISTER_LIMIT: '4',
			REGISTER_WINDOW_SECONDS: '600'
		};
		a = await startApp(env, db);
		b = await startApp(env, db);
	});
	afterAll(async () => {
		await a?.stop();
		await b?.stop();
		await db?.drop();
		await mock?.close();
		const keys = await redis.keys(prefix + '*');
		if (keys.length) await redis.del(...keys);
		redis.disconnect();
	});

	/** One person whose cookie works on both processes (sessions live in the database). */
	let visitor: Visitor;
	const on = (app: RunningApp) => {
		const v = new Visitor(app.url);
		v.cookie = visitor.cookie;
		return v;
	};
	const newChat = async () => (await on(a).mutate('chats.create', {})).body.result.data.id as string;
	const row = async (id: unknown) =>
		(
			await db.query<{ status: string; content: string; error_code: string | null; worker_id: string | null }>(
				'SELECT status, content, error_code, worker_id FROM message WHERE id = ?',
				[id]
			)
		)[0];

	it('shares the registration limit: the addresses count across both processes', async () => {
		visitor = await Visitor.arrive(a.url);
		await Visitor.arrive(b.url);
		await Visitor.arrive(a.url);
		await Visitor.arrive(b.url);
		// Each process alone would still allow this one; together the four are spent.
		expect((await fetch(a.url + '/')).status).toBe(429);
		expect((await fetch(b.url + '/')).status).toBe(429);
	});

	it('streams a reply started on A live to a reader on B, nothing missing or duplicated', async () => {
		const chatId = await newChat();
		const started = follow(await on(a).send(chatId, { content: '[[mock:{"tokens":60,"delayMs":25}]] tell me' }));
		await started.until((ev) => deltaCount(ev) >= 5);
		const messageId = started.events[0].data.assistantMessageId;
		// The shared copy of a reply in flight expires by itself even if its process dies.
		expect(await redis.ttl(`${prefix}reply:${messageId}`)).toBeGreaterThan(3600);
		const res = await on(b).fetch(`/api/chats/${chatId}/messages/${messageId}/stream`);
		expect(res.status).toBe(200);
		const onB = follow(res);
		const [eventsA, eventsB] = await Promise.all([started.finished, onB.finished]);
		// B replayed what existed when it joined, then kept receiving as A generated.
		expect(deltaCount(eventsB)).toBeGreaterThan(3);
		expect(textOf(eventsB)).toBe(textOf(eventsA));
		expect(eventsB.at(-1)).toEqual(eventsA.at(-1));
		expect(eventsB.at(-1)!.event).toBe('done');
		const stored = await row(messageId);
		expect(stored.status).toBe('complete');
		expect(stored.content).toBe(textOf(eventsA));
		expect(textOf(eventsA).length).toBeGreaterThan(100);
		// Kept a minute for late readers, then gone.
		const ttl = await redis.ttl(`${prefix}reply:${messageId}`);
		expect(ttl).toBeGreaterThan(0);
		expect(ttl).toBeLessThanOrEqual(60);
	});

	it("does not let a reader on B follow another person's reply on A", async () => {
		const chatId = await newChat();
		const started = follow(await on(a).send(chatId, { content: '[[mock:{"tokens":40,"delayMs":20}]] mine' }));
		await started.until((ev) => deltaCount(ev) >= 2);
		const messageId = started.events[0].data.assistantMessageId;
		const stranger = await Visitor.arrive(b.url).catch(() => null);
		// The registration limit is spent in this suite: borrow a fresh session from A's DB instead.
		const other = stranger ?? (await otherPerson());
		const res = await other.fetch(`/api/chats/${chatId}/messages/${messageId}/stream`);
		expect(res.status).toBe(404);
		const stop = await other.fetch(`/api/chats/${chatId}/messages/${messageId}/stop`, { method: 'POST' });
		expect(stop.status).toBe(404);
		await started.finished;
		expect((await row(messageId)).status).toBe('complete');
	});

	async function otherPerson() {
		// A second person: a copy of the first visitor's session row pointing at a new user.
		const id = `other${randomBytes(6).toString('hex')}`;
		const session = `s${randomBytes(12).toString('hex')}`;
		await db.query('INSERT INTO user (id, quota_limit) VALUES (?, 10)', [id]);
		await db.query('INSERT INTO session (id, user_id, expires_at) VALUES (?, ?, UTC_TIMESTAMP() + INTERVAL 1 DAY)', [
			session,
			id
		]);
		const v = new Visitor(b.url);
		v.cookie = `oreai_session=${session}`;
		return v;
	}

	it("stops a reply running on A when Stop is sent to B: upstream aborted within 500 ms, text kept as 'stopped'", async () => {
		const chatId = await newChat();
		const started = follow(await on(a).send(chatId, { content: '[[mock:{"tokens":2000,"delayMs":20}]] long' }));
		await started.until((ev) => deltaCount(ev) >= 10);
		const messageId = started.events[0].data.assistantMessageId;
		expect(mock.handler.activeStreams).toBe(1);
		const t0 = Date.now();
		const stopping = on(b).fetch(`/api/chats/${chatId}/messages/${messageId}/stop`, { method: 'POST' });
		const abortedAfter = await waitFor(async () => mock.handler.activeStreams === 0 && Date.now() - t0, 5000);
		expect(abortedAfter).toBeLessThan(500);
		const res = await stopping;
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ id: String(messageId), status: 'stopped' });
		const events = await started.finished;
		expect(events.at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'stopped' } });
		const stored = await row(messageId);
		expect(stored.status).toBe('stopped');
		expect(stored.content).toBe(textOf(events));
		expect(stored.content.length).toBeGreaterThan(0);
	});

	it('holds "chat busy" across processes: two sends at once on A and B give one 200 and one 409', async () => {
		// Both processes warm: a process's first send loads the tokenizer, which takes a while.
		for (const app of [a, b]) await readSse(await on(app).send(await newChat(), { content: 'warm up' }));
		for (let round = 0; round < 4; round++) {
			const chatId = await newChat();
			const body = JSON.stringify({ content: '[[mock:{"tokens":60,"delayMs":20}]] race' });
			const [ra, rb] = await Promise.all([a, b].map((app) => post(app, `/api/chats/${chatId}/messages`, body)));
			expect([ra.status, rb.status].sort()).toEqual([200, 409]);
			const loser = ra.status === 409 ? ra : rb;
			expect(JSON.parse(loser.body)).toMatchObject({ code: 'chat_busy' });
			const [{ n }] = await db.query<{ n: number }>(
				"SELECT COUNT(*) n FROM message WHERE chat_id = ? AND role = 'assistant'",
				[chatId]
			);
			expect(Number(n)).toBe(1);
		}
	});

	/** A POST on a connection of its own, read to the end (both requests leave at once). */
	function post(app: RunningApp, path: string, body: string) {
		const url = new URL(app.url + path);
		return new Promise<{ status: number; body: string }>((resolve, reject) => {
			const req = request(
				url,
				{
					method: 'POST',
					agent: false,
					headers: { 'content-type': 'application/json', cookie: visitor.cookie, origin: app.url }
				},
				(res) => {
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (d) => (text += d));
					res.on('end', () => resolve({ status: res.statusCode!, body: text }));
				}
			);
			req.on('error', reject);
			req.end(body);
		});
	}

	it('frees the chat as soon as the reply ends, whichever process asks next', async () => {
		const chatId = await newChat();
		await readSse(await on(a).send(chatId, { content: 'first' }));
		const res = await on(b).send(chatId, { content: 'second' });
		expect(res.status).toBe(200);
		expect((await readSse(res)).at(-1)!.event).toBe('done');
	});

	it("a process that starts marks only dead processes' replies interrupted, never a live one's", async () => {
		const chatId = await newChat();
		const live = follow(await on(a).send(chatId, { content: '[[mock:{"tokens":1500,"delayMs":20}]] keep going' }));
		await live.until((ev) => deltaCount(ev) >= 3);
		const liveId = live.events[0].data.assistantMessageId;
		// A reply left by a process that is gone (no lease in Redis).
		const ghostChat = await newChat();
		const person = (await on(a).query('me.get')).body.result.data.id;
		await db.query(
			"INSERT INTO message (chat_id, user_id, role, content, status, worker_id) VALUES (?, ?, 'assistant', 'half a', 'streaming', 'gone-host-1-abc')",
			[ghostChat, person]
		);
		const [{ id: ghostId }] = await db.query<{ id: number }>('SELECT MAX(id) id FROM message WHERE chat_id = ?', [
			ghostChat
		]);
		const c = await startApp(env, db);
		try {
			expect(await row(ghostId)).toMatchObject({ status: 'error', error_code: 'interrupted', content: 'half a' });
			expect((await row(liveId)).status).toBe('streaming');
			// Still live on A, and still A's to run: new text keeps arriving.
			const seen = deltaCount(live.events);
			await live.until((ev) => deltaCount(ev) > seen + 3);
			expect((await row(liveId)).status).toBe('streaming');
		} finally {
			await c.stop();
		}
		await on(a).fetch(`/api/chats/${chatId}/messages/${liveId}/stop`, { method: 'POST' });
		expect((await live.finished).at(-1)!.event).toBe('done');
		expect((await row(liveId)).status).toBe('stopped');
	});

	it('after kill -9 of A mid-reply, B marks the reply interrupted within lease + 5 s and the chat works again', async () => {
		const chatId = await newChat();
		const started = follow(await on(a).send(chatId, { content: '[[mock:{"tokens":3000,"delayMs":20}]] crash' }));
		await started.until((ev) => deltaCount(ev) >= 60);
		const messageId = started.events[0].data.assistantMessageId;
		// A reader on B follows A's reply when A dies.
		const onB = follow(await on(b).fetch(`/api/chats/${chatId}/messages/${messageId}/stream`));
		await onB.until((ev) => deltaCount(ev) >= 1);
		expect((await row(messageId)).worker_id).toBeTruthy();
		a.proc.kill('SIGKILL');
		const killedAt = Date.now();
		await waitFor(async () => (await row(messageId)).status !== 'streaming', (LEASE_SECONDS + 5) * 1000);
		expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 5) * 1000);
		const stored = await row(messageId);
		expect(stored).toMatchObject({ status: 'error', error_code: 'interrupted' });
		// What A had stored (at least once a second) is kept, and agrees with what its reader saw:
		// the reader's events are grouped over 100 ms, so either may hold the other's last words.
		expect(stored.content.length).toBeGreaterThan(0);
		const seen = textOf(started.events);
		expect(seen.startsWith(stored.content) || stored.content.startsWith(seen)).toBe(true);
		expect(Math.abs(seen.length - stored.content.length)).toBeLessThan(2000);
		// B's reader is told, too, instead of waiting forever.
		const eventsB = await onB.finished;
		expect(eventsB.at(-1)).toMatchObject({ event: 'error', data: { code: 'interrupted' } });
		// The chat's lock died with A: B accepts the next message.
		const next = await on(b).send(chatId, { content: 'are you there?' });
		expect(next.status).toBe(200);
		expect((await readSse(next)).at(-1)!.event).toBe('done');
	});
});
