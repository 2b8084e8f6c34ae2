import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

const fixture = readFileSync(new URL('../fixtures/chatgpt-conversations.json', import.meta.url), 'utf8');

/** A browser's multipart form POST of one file, as it is sent without JavaScript. */
function upload(v: Visitor, content: string | Uint8Array<ArrayBuffer>, name = 'conversations.json') {
	const form = new FormData();
	form.append('file', new Blob([content], { type: 'application/json' }), name);
	return v.fetch('/me?/import', { method: 'POST', body: form, headers: { accept: 'text/html' } });
}

describe('importing history on /me', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	const count = async (v: Visitor) => (await v.chatIds()).length;

	beforeAll(async () => {
		app = await startApp({ IMPORT_MAX_BYTES: String(64 * 1024), BODY_SIZE_LIMIT: '1M' });
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
	});
	afterAll(() => app?.close());

	it('imports a ChatGPT export: main branch only, with a report of what was skipped and why', async () => {
		const before = await count(alice);
		const bobBefore = await count(bob);
		const res = await upload(alice, fixture);
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(html).toContain('Imported 2 chats with 6 messages from a ChatGPT export.');
		expect(html).toContain('Left out 2 messages without text');
		expect(html).toMatch(/Only a system prompt<!--[^>]*-->: no text messages|Only a system prompt: no text messages/);
		expect(html).toMatch(/Broken entry(<!--[^>]*-->)?: not a readable conversation/);
		expect(await count(alice)).toBe(before + 2);
		expect(await count(bob)).toBe(bobBefore);

		const list = (await alice.query('chats.list', { query: 'Paris trip' })).body.result.data;
		expect(list).toHaveLength(1);
		const chat = (await alice.query('chats.get', { id: list[0].id })).body.result.data;
		expect(chat.messages.map((m: { content: string }) => m.content)).toEqual([
			'Plan two days in Paris for me.',
			'Day 1: **Louvre** and the Seine.\nDay 2: Montmartre.',
			'Add a photo spot.',
			'Trocadéro at sunrise 📸'
		]);
		// Each message follows the one before it, as if typed in: the chat can be edited and regenerated.
		const rows = await app.db.query<{ id: number; parent_id: number | null }>(
			'SELECT id, parent_id FROM message WHERE chat_id = ? ORDER BY id',
			[list[0].id]
		);
		expect(rows.map((r) => r.parent_id)).toEqual([null, ...rows.slice(0, -1).map((r) => r.id)]);
		// Imported chats keep their own dates.
		expect(new Date(chat.chat.createdAt).getUTCFullYear()).toBe(2023);
	});

	it('imports OreAI’s own export from another account', async () => {
		const exported = await (await alice.fetch('/me/export')).text();
		const aliceChats = JSON.parse(exported).chats.length;
		const before = await count(bob);
		const res = await upload(bob, exported, 'oreai-chats.json');
		expect(res.status).toBe(200);
		expect(await res.text()).toMatch(/from a OreAI export/);
		expect(await count(bob)).toBe(before + aliceChats);
	});

	it('refuses a malformed file with a clear error and imports nothing', async () => {
		const before = await count(alice);
		for (const bad of ['{"chats": [', '{"hello": "world"}', 'plain text']) {
			const res = await upload(alice, bad);
			expect(res.status).toBe(400);
			expect(await res.text()).toContain('could not be read as a ChatGPT or OreAI export. Nothing was imported.');
		}
		expect(await count(alice)).toBe(before);
	});

	it('refuses a file over the import limit, and one over the server’s body limit, changing nothing', async () => {
		const before = await count(alice);
		const big = JSON.stringify([{ title: 'x', mapping: {}, pad: 'a'.repeat(100 * 1024) }]);
		const res = await upload(alice, big);
		expect(res.status).toBe(413);
		expect(await res.text()).toContain('too large to import');
		const huge = await upload(alice, new Uint8Array(2 * 1024 * 1024).fill(32));
		expect(huge.status).toBe(413);
		expect(await huge.text()).toContain('too large to import');
		expect(await count(alice)).toBe(before);
		expect((await alice.html('/me')).body).toContain('up to 0.06 MB');
	});

	it('answers a form without a file, bad procedure input and no session clearly', async () => {
		const res = await alice.fetch('/me?/import', {
			method: 'POST',
			body: new FormData(),
			headers: { accept: 'text/html' }
		});
		expect(res.status).toBe(400);
		expect((await alice.mutate('chats.import', { text: 5 })).status).toBe(400);
		expect((await alice.mutate('chats.import', { text: '[1,2,3]' })).status).toBe(400);
		const anon = await fetch(app.url + '/api/trpc/chats.import', {
			method: 'POST',
			body: JSON.stringify({ text: fixture }),
			headers: { 'content-type': 'application/json', origin: app.url }
		});
		expect(anon.status).toBe(401);
	});
});
