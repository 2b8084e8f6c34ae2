import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

describe('shared chats', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	let chatId: string;
	let shareId: string;

	async function share(v: Visitor, id: string) {
		const res = await v.form(`/chat/${id}?/share`, {});
		expect(res.status).toBe(303);
		const location = res.headers.get('location')!;
		expect(location).toMatch(/^\/s\/[0-9a-z]{20}$/);
		return location.slice(3);
	}

	beforeAll(async () => {
		app = await startApp();
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
		const created = await alice.mutate('chats.create', { title: 'Trip plan' });
		chatId = created.body.result.data.id;
		const userId = (await alice.query('me.get')).body.result.data.id;
		await app.db.query(
			'INSERT INTO message (chat_id, user_id, role, content, status) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)',
			[
				chatId,
				userId,
				'user',
				'Where should we go?',
				'complete',
				chatId,
				userId,
				'assistant',
				'**Kyoto** first.\n\n<script>alert(1)</script><img src=x onerror="alert(2)">',
				'complete'
			]
		);
		shareId = await share(alice, chatId);
	});
	afterAll(() => app?.close());

	it('serves the snapshot to anyone with the link, server-rendered, noindex, without a composer', async () => {
		const res = await fetch(`${app.url}/s/${shareId}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
		const html = await res.text();
		expect(html).toContain('<meta name="robots" content="noindex, nofollow"');
		expect(html).toContain('Trip plan');
		expect(html).toContain('Where should we go?');
		expect(html).toContain('<strong>Kyoto</strong>');
		expect(html).not.toMatch(/<textarea|action="\?\/send"/);
		expect(html).toContain('Continue this chat');
		// Only the owner is shown the address-to-send box.
		expect(html).not.toContain('data-testid="share-url"');
		expect((await alice.html(`/s/${shareId}`)).body).toContain('data-testid="share-url"');
	});

	it('sanitises shared replies the same way as in the chat', async () => {
		const html = await (await fetch(`${app.url}/s/${shareId}`)).text();
		expect(html).not.toContain('<script>alert(1)</script>');
		// The raw text rides along escaped in the hydration data; no element carries the handler.
		expect(html).not.toMatch(/<img[^>]*\sonerror=/);
	});

	it('keeps the snapshot as it was when shared', async () => {
		const userId = (await alice.query('me.get')).body.result.data.id;
		await app.db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES (?, ?, ?, ?, ?)', [
			chatId,
			userId,
			'user',
			'A later, private thought',
			'complete'
		]);
		const html = await (await fetch(`${app.url}/s/${shareId}`)).text();
		expect(html).not.toContain('A later, private thought');
	});

	it('continues the chat as a new chat in the visitor’s own account, leaving the original alone', async () => {
		const before = await bob.chatIds();
		const res = await bob.form(`/s/${shareId}?/continue`, {});
		expect(res.status).toBe(303);
		const newId = res.headers.get('location')!.replace('/chat/', '');
		expect(newId).not.toBe(chatId);
		expect(await bob.chatIds()).toEqual(expect.arrayContaining([...before, newId]));
		const got = (await bob.query('chats.get', { id: newId })).body.result.data;
		expect(got.chat.title).toBe('Trip plan');
		expect(got.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
		const original = (await alice.query('chats.get', { id: chatId })).body.result.data;
		expect(original.messages).toHaveLength(3);
	});

	it('lists the owner’s links on Me and nobody else’s', async () => {
		expect((await alice.html('/me')).body).toContain(`/s/${shareId}`);
		expect((await bob.html('/me')).body).not.toContain(`/s/${shareId}`);
		const list = (await bob.query('shares.list')).body.result.data;
		expect(list).toEqual([]);
	});

	it('refuses to share or revoke another user’s chat or link, and changes nothing', async () => {
		expect((await bob.form(`/chat/${chatId}?/share`, {})).status).toBe(404);
		expect((await bob.mutate('shares.create', { chatId })).status).toBe(404);
		expect((await bob.form('/me?/revokeShare', { share: shareId })).status).toBe(404);
		expect((await bob.mutate('shares.revoke', { id: shareId })).status).toBe(404);
		expect((await fetch(`${app.url}/s/${shareId}`)).status).toBe(200);
		const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM share');
		expect(Number(n)).toBe(1);
	});

	it('answers malformed ids clearly', async () => {
		expect((await fetch(`${app.url}/s/not-a-share`)).status).toBe(404);
		expect((await fetch(`${app.url}/s/${'z'.repeat(20)}`)).status).toBe(404);
		expect((await bob.mutate('shares.create', { chatId: 'NOT VALID' })).status).toBe(400);
		expect((await bob.mutate('shares.revoke', { id: '../etc' })).status).toBe(400);
		expect((await bob.form('/s/zzzzzzzzzzzzzzzzzzzz?/continue', {})).status).toBe(404);
		expect((await bob.form('/me?/revokeShare', { share: '' })).status).toBe(400);
	});

	it('revokes a link: it then answers 404 and cannot be continued', async () => {
		const res = await alice.form('/me?/revokeShare', { share: shareId });
		expect(res.status).toBe(303);
		expect((await fetch(`${app.url}/s/${shareId}`)).status).toBe(404);
		expect((await bob.form(`/s/${shareId}?/continue`, {})).status).toBe(404);
		expect((await alice.html('/me')).body).toContain('The link is revoked');
	});

	it('removes a chat’s links when the chat is deleted', async () => {
		const id = (await alice.mutate('chats.create', { title: 'Short-lived' })).body.result.data.id;
		const sid = await share(alice, id);
		expect((await fetch(`${app.url}/s/${sid}`)).status).toBe(200);
		await alice.mutate('chats.delete', { id });
		expect((await fetch(`${app.url}/s/${sid}`)).status).toBe(404);
	});
});
