import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { freePort } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startPrivateMariaDb } from '../helpers/mariadb';
import { readSse, Visitor, type SseEvent } from '../helpers/visitor';

// `npm start` (scripts/start.js): one process by default, N workers with WORKERS=N.

const root = path.resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Launched {
	url: string;
	proc: ChildProcess;
	output: () => string;
	exited: Promise<number | null>;
}

async function launch(env: Record<string, string>, db: Pick<TestDatabase, 'url'>, waitReady = true): Promise<Launched> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const proc = spawn(process.execPath, ['scripts/start.js'], {
		cwd: root,
		env: {
			PATH: process.env.PATH ?? '',
			DATABASE_URL: db.url,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: url,
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	proc.stdout!.on('data', (d) => (output += d));
	proc.stderr!.on('data', (d) => (output += d));
	const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
	const launched = { url, proc, output: () => output, exited };
	if (!waitReady) return launched;
	const deadline = Date.now() + 40_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`exited early:\n${output}`);
		const ok = await fetch(url + '/readyz')
			.then((r) => r.status === 200)
			.catch(() => false);
		// With several workers, /readyz answers from whichever one takes the connection: the
		// launcher's line says every worker can serve.
		const workers = Number(env.WORKERS ?? 1);
		if (ok && (workers === 1 || output.includes(`all ${workers} workers ready`))) return launched;
		if (Date.now() > deadline) {
			proc.kill('SIGKILL'); // a launcher left running would outlive the suite
			throw new Error(`did not start:\n${output}`);
		}
		await sleep(150);
	}
}

describe('npm start', () => {
	const cleanup: (() => Promise<unknown>)[] = [];
	afterAll(async () => {
		// One failed cleanup (a process already gone) must not skip the others.
		for (const c of cleanup.reverse()) await c().catch(() => undefined);
	});

	/** A Redis client and a key prefix of the test's own, whose keys go at the end. */
	const sharedRedis = () => {
		const redis = new Redis(REDIS_URL);
		const prefix = `oreai-test-${randomBytes(4).toString('hex')}:`;
		cleanup.push(async () => {
			const keys = await redis.keys(prefix + '*');
			if (keys.length) await redis.del(...keys);
			redis.disconnect();
		});
		return { redis, prefix };
	};
	const twoWorkers = (prefix: string, mockUrl: string) => ({
		WORKERS: '2',
		REDIS_URL,
		REDIS_PREFIX: prefix,
		OPENAI_BASE_URL: mockUrl,
		OPENAI_API_KEY: 'test',
		REGISTER_LIMIT: '1000',
		SENDS_PER_MINUTE: '100000',
		CHATS_PER_MINUTE: '100000',
		ADDRESS_DAILY_CALLS: '100000'
	});

	it('runs one process by default, and stops on SIGTERM', async () => {
		const db = await createTestDatabase();
		cleanup.push(() => db.drop());
		const app = await launch({}, db);
		expect((await fetch(app.url + '/healthz')).status).toBe(200);
		// One process: no worker, no launcher message.
		expect(app.output()).not.toContain('workers');
		app.proc.kill('SIGTERM');
		expect(await app.exited).toBe(0);
	});

	it('refuses WORKERS=2 without REDIS_URL, saying why', async () => {
		const db = await createTestDatabase();
		cleanup.push(() => db.drop());
		const app = await launch({ WORKERS: '2' }, db, false);
		expect(await app.exited).toBe(1);
		expect(app.output()).toContain('WORKERS=2 needs REDIS_URL');
		const bad = await launch({ WORKERS: 'two' }, db, false);
		expect(await bad.exited).toBe(1);
		expect(bad.output()).toContain('WORKERS must be a whole number');
	});

	it(
		'with WORKERS=2 and Redis: two workers serve, /metrics counts for both, a killed worker is replaced, SIGTERM drains then stores replies and exits',
		{ timeout: 60_000 },
		async () => {
			const db = await createTestDatabase();
			const mock = await startMockServer({ tokens: 10 });
			const { redis, prefix } = sharedRedis();
			cleanup.push(() => mock.close());
			cleanup.push(() => db.drop());
			const app = await launch({ ...twoWorkers(prefix, mock.url), DRAIN_SECONDS: '2', LEASE_SECONDS: '2' }, db);
			cleanup.push(async () => {
				if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
			});
			// Both workers hold a lease: two processes are up.
			await expect.poll(async () => (await redis.keys(prefix + 'lease:*')).length, { timeout: 15_000 }).toBe(2);
			// Both migrated the fresh database at once without tripping over each other.
			expect(app.output()).not.toContain('exited');

			// Visitors land on either worker; the count on /metrics is the sum over both.
			const visitors = await Promise.all(Array.from({ length: 6 }, () => Visitor.arrive(app.url)));
			const metrics = await (await fetch(app.url + '/metrics')).text();
			expect(metrics).toMatch(/^oreai_registrations_total 6$/m);

			// A worker that dies is replaced; the others go on serving meanwhile.
			const leases = await redis.keys(prefix + 'lease:*');
			const victim = Number(leases[0].split('-').at(-2));
			process.kill(victim, 'SIGKILL');
			await expect.poll(() => app.output(), { timeout: 5000 }).toContain(`worker ${victim} exited (SIGKILL)`);
			expect((await fetch(app.url + '/healthz')).status).toBe(200);
			await expect
				.poll(async () => (await redis.keys(prefix + 'lease:*')).filter((k) => !k.includes(`-${victim}-`)).length, {
					timeout: 15_000
				})
				.toBe(2);
			await expect.poll(() => app.output(), { timeout: 15_000 }).toMatch(/OreAI: worker \d+ ready/);

			// A long reply in flight when SIGTERM comes.
			const v = visitors[0];
			const chatId = (await v.mutate('chats.create', {})).body.result.data.id;
			const res = await v.send(chatId, { content: '[[mock:{"tokens":2000,"delayMs":20}]] long' });
			const events: SseEvent[] = [];
			const reading = readSse(res, (e) => events.push(e)).catch(() => events);
			await expect.poll(() => events.filter((e) => e.event === 'delta').length).toBeGreaterThan(3);

			app.proc.kill('SIGTERM');
			const t0 = Date.now();
			// While draining, readiness fails (a load balancer stops sending) but requests are served.
			await expect.poll(async () => (await fetch(app.url + '/readyz')).status, { timeout: 1500 }).toBe(503);
			const body = await (await fetch(app.url + '/readyz')).json();
			expect(body.checks.draining).toBe('shutting down');
			expect((await fetch(app.url + '/healthz')).status).toBe(200);

			expect(await app.exited).toBe(0);
			expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
			await reading;
			expect(events.at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'stopped' } });
			const [row] = await db.query<{ status: string; content: string }>(
				"SELECT status, content FROM message WHERE chat_id = ? AND role = 'assistant'",
				[chatId]
			);
			expect(row.status).toBe('stopped');
			expect(row.content.length).toBeGreaterThan(0);
			// Leases are given up on the way out, not left to expire.
			expect(await redis.keys(prefix + 'lease:*')).toEqual([]);
		}
	);

	it(
		'with WORKERS=2 on a server that allows 40 connections: the pools fit, and 60 sends at once all get their reply',
		{ timeout: 90_000 },
		async () => {
			const server = await startPrivateMariaDb(['--max-connections=40']);
			cleanup.push(() => server.destroy());
			const mock = await startMockServer({ tokens: 20, delayMs: 10 });
			cleanup.push(() => mock.close());
			const { prefix } = sharedRedis();
			const app = await launch(
				{ ...twoWorkers(prefix, mock.url), DRAIN_SECONDS: '0' },
				// The app creates the database, as on a newcomer's server.
				{ url: `${server.url}/oreai_small` }
			);
			cleanup.push(async () => {
				if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
				await app.exited;
			});
			// (40 − 10 spare) / (2 workers × 2 pools) = 7 connections per pool instead of 50.
			await expect.poll(() => app.output(), { timeout: 15_000 }).toContain('"perPool":7');
			const visitors = await Promise.all(Array.from({ length: 60 }, () => Visitor.arrive(app.url)));
			const chats = await Promise.all(
				visitors.map(async (v) => (await v.mutate('chats.create', {})).body.result.data.id)
			);
			const replies = await Promise.all(
				visitors.map(async (v, i) => {
					const res = await v.send(chats[i], { content: 'hello' });
					return { status: res.status, events: res.status === 200 ? await readSse(res) : [] };
				})
			);
			expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
			expect(replies.map((r) => r.events.at(-1)?.event)).toEqual(replies.map(() => 'done'));
			expect(app.output()).not.toContain('ER_CON_COUNT_ERROR');
		}
	);
});
