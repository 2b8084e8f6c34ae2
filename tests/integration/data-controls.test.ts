import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

describe('data controls on /me', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	const countChats = async (v: Visitor) => (await v.chatIds()).length;

	beforeAll(async () => {
		app = await startApp();
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
	});
	afterAll(() => app?.close());

	it('exports only the visitor’s own chats, with their messages, as a JSON download', async () => {
		const res = await alice.fetch('/me/export');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="oreai-chats-/);
		const body = await res.json();
		const ids = await alice.chatIds();
		expect(body.chats.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
		expect(body.chats.every((c: { messages: unknown[] }) => c.messages.length >= 2)).toBe(true);
		const bobIds = await bob.chatIds();
		expect(body.chats.some((c: { id: string }) => bobIds.includes(c.id))).toBe(false);
	});

	it('does not delete anything without the confirmation box ticked', async () => {
		const before = await countChats(alice);
		const res = await alice.form('/me?/deleteAll', {});
		expect(res.status).toBe(400);
		expect(await countChats(alice)).toBe(before);
	});

	it('deletes all of the visitor’s chats and none of anyone else’s', async () => {
		const bobBefore = await countChats(bob);
		const res = await alice.form('/me?/deleteAll', { confirm: 'yes' });
		// Redirected back to a clean address, which says what happened once.
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/me');
		expect(await (await alice.fetch('/me')).text()).toMatch(/Deleted 4 chats/);
		expect(await (await alice.fetch('/me')).text()).not.toMatch(/Deleted 4 chats/);
		expect(await countChats(alice)).toBe(0);
		const [{ n }] = await app.db.query<{ n: number }>(
			'SELECT COUNT(*) n FROM message m JOIN user u ON u.id = m.user_id WHERE u.id NOT IN (SELECT user_id FROM chat)'
		);
		expect(Number(n)).toBe(0);
		expect(await countChats(bob)).toBe(bobBefore);
	});

	it('answers 401 to the tRPC procedure without a session', async () => {
		const res = await fetch(app.url + '/api/trpc/chats.deleteAll', {
			method: 'POST',
			body: 'null',
			headers: { 'content-type': 'application/json' }
		});
		expect(res.status).toBe(401);
	});
});
