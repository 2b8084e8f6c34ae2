import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../../tools/mock-upstream/server.js';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

// Limits on what one request, one user and one client address can make the server do:
// tRPC batches, bodies, new chats and sends per minute, model calls per address per day.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

async function chatCount(app: RunningApp, v: Visitor) {
	const { body } = await v.query('me.get');
	const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat WHERE user_id = ?', [
		body.result.data.id
	]);
	return Number(n);
}

const replyCalls = (mock: Mock) => mock.handler.requests.filter((r) => r.body.stream === true).length;

describe('request limits', () => {
	let mock: Mock;
	let app: RunningApp;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 3 });
		app = await startApp({
			OPENAI_BASE_URL: mock.url,
			OPENAI_API_KEY: 'test-key',
			OPENAI_MODEL: 'mock-small',
			CHATS_PER_MINUTE: '4',
			SENDS_PER_MINUTE: '3',
			ADDRESS_DAILY_CALLS: '5',
			BODY_SIZE_LIMIT: '64K'
		});
	}, 60_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	it('refuses a tRPC batch of more than 10 calls with a clear error, doing none of them', async () => {
		const v = await Visitor.arrive(app.url);
		const before = await chatCount(app, v);
		for (const n of [11, 1000]) {
			const paths = Array(n).fill('chats.create').join(',');
			const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]));
			const res = await v.fetch(`/api/trpc/${paths}?batch=1`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(input)
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: 'batch_too_large', message: 'Too many calls in one request.' });
		}
		const exports = await v.fetch(`/api/trpc/${Array(200).fill('chats.export').join(',')}?batch=1`);
		expect(exports.status).toBe(400);
		expect(await chatCount(app, v)).toBe(before);
		// Ten calls are fine.
		const none = encodeURIComponent(JSON.stringify({}));
		const ten = await v.fetch(`/api/trpc/${Array(10).fill('me.get').join(',')}?batch=1&input=${none}`);
		expect(ten.status).toBe(200);
		expect(await ten.json()).toHaveLength(10);
	});

	it('answers 413 to a body over BODY_SIZE_LIMIT on the API, before reading it', async () => {
		const v = await Visitor.arrive(app.url);
		const [chatId] = await v.chatIds();
		const big = JSON.stringify({ content: 'x'.repeat(70 * 1024) });
		const send = await v.send(chatId, big);
		expect(send.status).toBe(413);
		expect((await send.json()).code).toBe('payload_too_large');
		const trpc = await v.fetch('/api/trpc/chats.rename', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: chatId, title: 'x'.repeat(70 * 1024) })
		});
		expect(trpc.status).toBe(413);
		const [{ n }] = await app.db.query<{ n: number }>(
			"SELECT COUNT(*) n FROM message WHERE chat_id = ? AND content LIKE 'xxxx%'",
			[chatId]
		);
		expect(Number(n)).toBe(0);
	});

	it('limits new chats per user per minute; another user is not affected', async () => {
		const v = await Visitor.arrive(app.url);
		const before = await chatCount(app, v);
		for (let i = 0; i < 4; i++) expect((await v.mutate('chats.create', {})).status).toBe(200);
		const refused = await v.mutate('chats.create', {});
		expect(refused.status).toBe(429);
		expect(refused.body.error.data.appCode).toBe('rate_limited');
		expect(await chatCount(app, v)).toBe(before + 4);
		const other = await Visitor.arrive(app.url);
		expect((await other.mutate('chats.create', {})).status).toBe(200);
	});

	it('limits sends per user per minute, and model calls per client address per day across new users', async () => {
		const calls = replyCalls(mock);
		const alice = await Visitor.arrive(app.url);
		const [chatA] = await alice.chatIds();
		for (let i = 0; i < 3; i++) {
			const res = await alice.send(chatA, { content: `question ${i}` });
			expect(res.status).toBe(200);
			await readSse(res);
		}
		const fourth = await alice.send(chatA, { content: 'one too many' });
		expect(fourth.status).toBe(429);
		expect((await fourth.json()).code).toBe('rate_limited');

		// Cleared cookies: a new anonymous user with a fresh quota, but the same address.
		const bob = await Visitor.arrive(app.url);
		const [chatB] = await bob.chatIds();
		// A send that makes no model call (empty) does not use the address's allowance.
		expect((await bob.send(chatB, { content: '   ' })).status).toBe(400);
		for (let i = 0; i < 2; i++) {
			const res = await bob.send(chatB, { content: `bob ${i}` });
			expect(res.status).toBe(200);
			await readSse(res);
		}
		const over = await bob.send(chatB, { content: 'past the address allowance' });
		expect(over.status).toBe(429);
		expect(replyCalls(mock) - calls).toBe(5);
		// Nothing was stored for the refused sends.
		const [{ n }] = await app.db.query<{ n: number }>(
			"SELECT COUNT(*) n FROM message WHERE content IN ('one too many', 'past the address allowance')"
		);
		expect(Number(n)).toBe(0);
	});
});
