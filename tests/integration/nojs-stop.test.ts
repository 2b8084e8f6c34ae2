import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

describe('stopping a reply without JavaScript', () => {
	let app: RunningApp;
	let mock: Awaited<ReturnType<typeof startMockServer>>;
	let alice: Visitor;
	let bob: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 200, delayMs: 25 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test' });
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
	});
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	async function startSlowReply(v: Visitor) {
		const chatId = (await v.mutate('chats.create', {})).body.result.data.id as string;
		const res = await v.send(chatId, { content: 'a long answer please' });
		let messageId = '';
		const events = readSse(res, (e) => {
			if (e.event === 'start') messageId = e.data.assistantMessageId ?? '';
		});
		await expect.poll(() => messageId).not.toBe('');
		return { chatId, messageId, events };
	}

	const statusOf = async (id: string) =>
		(
			await app.db.query<{ status: string; content: string }>('SELECT status, content FROM message WHERE id = ?', [id])
		)[0];

	it('stops the reply with the form action and keeps its text', async () => {
		const { chatId, messageId, events } = await startSlowReply(alice);
		await new Promise((r) => setTimeout(r, 300));
		const res = await alice.form(`/chat/${chatId}?/stop`, { message: messageId });
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe(`/chat/${chatId}#latest`);
		await events;
		const row = await statusOf(messageId);
		expect(row.status).toBe('stopped');
		expect(row.content.length).toBeGreaterThan(0);
	});

	it('answers 404 for another user’s chat and leaves their reply running', async () => {
		const { chatId, messageId, events } = await startSlowReply(alice);
		const res = await bob.form(`/chat/${chatId}?/stop`, { message: messageId });
		expect(res.status).toBe(404);
		expect((await statusOf(messageId)).status).toBe('streaming');
		await alice.fetch(`/api/chats/${chatId}/messages/${messageId}/stop`, { method: 'POST' });
		await events;
	});

	it('answers 400 for a message id that is not a number', async () => {
		const chatId = (await alice.chatIds())[0];
		const res = await alice.form(`/chat/${chatId}?/stop`, { message: 'abc' });
		expect(res.status).toBe(400);
	});
});
