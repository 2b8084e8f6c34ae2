import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

const root = path.resolve(import.meta.dirname, '../..');

describe('operator CLI (npm run admin)', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	let aliceId: string;
	let bobId: string;

	const admin = (...args: string[]) => {
		const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
			cwd: root,
			env: { PATH: process.env.PATH ?? '', DATABASE_URL: app.db.url },
			encoding: 'utf8'
		});
		const logs = r.stderr
			.split('\n')
			.filter((l) => l.startsWith('{'))
			.map((l) => JSON.parse(l));
		return { code: r.status, stdout: r.stdout, stderr: r.stderr, logs, json: () => JSON.parse(r.stdout) };
	};
	const quotaOf = async (id: string) =>
		(await app.db.query<{ quota_limit: number }>('SELECT quota_limit FROM user WHERE id = ?', [id]))[0]?.quota_limit;

	beforeAll(async () => {
		app = await startApp({ DEFAULT_QUOTA: '10' });
		alice = await Visitor.arrive(app.url);
		bob = await Visitor.arrive(app.url);
		aliceId = (await alice.query('me.get')).body.result.data.id;
		bobId = (await bob.query('me.get')).body.result.data.id;
		const chatId = (await alice.mutate('chats.create', {})).body.result.data.id;
		await readSse(await alice.send(chatId, { content: 'hello there' }), () => {});
		// The app is not needed any more; the CLI works on the database alone.
		await app.stop();
	});
	afterAll(() => app?.close());

	it('lists recent users with their quota and usage, and logs the action', async () => {
		const r = admin('users', '--json');
		expect(r.code).toBe(0);
		const rows = r.json();
		const a = rows.find((u: any) => u.id === aliceId);
		expect(a).toMatchObject({ quotaUsed: 1, quotaLimit: 10, replies: expect.any(Number) });
		expect(a.chats).toBeGreaterThanOrEqual(1);
		expect(rows.some((u: any) => u.id === bobId)).toBe(true);
		expect(r.logs).toEqual([expect.objectContaining({ action: 'users', tool: 'oreai-admin', msg: 'listed users' })]);
		const table = admin('users', '--limit', '1');
		expect(table.stdout.split('\n')[0]).toMatch(/^id\s+createdAt\s+lastSeenAt\s+quotaUsed\s+quotaLimit/);
	});

	it('grants quota to one user only, and logs who got how much', async () => {
		const r = admin('grant', '25', '--user', aliceId, '--json');
		expect(r.code).toBe(0);
		expect(r.json()).toEqual([{ granted: 25, users: 1 }]);
		expect(await quotaOf(aliceId)).toBe(35);
		expect(await quotaOf(bobId)).toBe(10);
		expect(r.logs[0]).toMatchObject({ action: 'grant', calls: 25, userId: aliceId, users: 1 });
	});

	it('grants quota to every user with --all', async () => {
		const before = [await quotaOf(aliceId), await quotaOf(bobId)];
		const r = admin('grant', '5', '--all', '--json');
		expect(r.code).toBe(0);
		expect([await quotaOf(aliceId), await quotaOf(bobId)]).toEqual([before[0] + 5, before[1] + 5]);
		expect(r.logs[0]).toMatchObject({ action: 'grant', calls: 5, all: true });
	});

	it('refuses a grant to an unknown user, a bad amount or no target, changing nothing', async () => {
		const before = [await quotaOf(aliceId), await quotaOf(bobId)];
		const unknown = admin('grant', '5', '--user', 'no-such-user');
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('no user with id no-such-user');
		for (const args of [
			['grant', 'lots', '--user', aliceId],
			['grant', '-3', '--user', aliceId],
			['grant', '2.5', '--all'],
			['grant', '5'],
			['grant', '5', '--all', '--user', aliceId]
		]) {
			const r = admin(...args);
			expect(r.code, args.join(' ')).toBe(2);
			expect(r.stderr).toContain('oreai-admin:');
		}
		expect([await quotaOf(aliceId), await quotaOf(bobId)]).toEqual(before);
	});

	it('shows model calls and tokens per day, for everyone or one user', async () => {
		const all = admin('usage', '--days', '7', '--json');
		expect(all.code).toBe(0);
		const today = new Date().toISOString().slice(0, 10);
		const rows = all.json();
		expect(rows[0].day).toBe(today);
		// The sample chats hold stored replies too; one call more than those was made today.
		expect(rows[0].calls).toBeGreaterThanOrEqual(1);
		const mine = admin('usage', '--user', bobId, '--json').json();
		const onlyAlice = admin('usage', '--user', aliceId, '--json').json();
		expect(onlyAlice[0].calls - (mine[0]?.calls ?? 0)).toBe(1);
		expect(onlyAlice[0].completionTokens).toBeGreaterThan(0);
		expect(all.logs[0]).toMatchObject({ action: 'usage', days: 7 });
	});

	it('counts users unseen for N days without --yes, and deletes only them (with their chats) with --yes', async () => {
		await app.db.query(
			'UPDATE user SET created_at = UTC_TIMESTAMP() - INTERVAL 40 DAY, last_seen_at = UTC_TIMESTAMP() - INTERVAL 31 DAY WHERE id = ?',
			[bobId]
		);
		const dry = admin('purge', '--unseen-days', '30', '--json');
		expect(dry.code).toBe(0);
		expect(dry.json()[0]).toMatchObject({ unseenDays: 30, wouldDelete: 1 });
		expect(await quotaOf(bobId)).toBeDefined();

		const real = admin('purge', '--unseen-days', '30', '--yes', '--json');
		expect(real.json()).toEqual([{ unseenDays: 30, deleted: 1 }]);
		expect(await quotaOf(bobId)).toBeUndefined();
		expect(await quotaOf(aliceId)).toBeDefined();
		const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat WHERE user_id = ?', [bobId]);
		expect(Number(n)).toBe(0);
		expect(real.logs[0]).toMatchObject({ action: 'purge', days: 30, deleted: 1 });
		expect(admin('purge', '--unseen-days', '0').code).toBe(2);
	});

	it('answers an unknown command with usage and exit code 2', () => {
		const r = admin('frobnicate');
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('unknown command');
		expect(admin('help').stdout).toContain('npm run admin -- grant');
	});
});
