import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, textOf, Visitor } from '../helpers/visitor';

// Versions of a turn: edit-and-resend starts a new branch and keeps the old one; regenerate
// keeps earlier answers; a switcher moves between them; deleting a message takes what
// followed it. Through tRPC and the stream endpoint, as the page uses them.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

interface Shown {
	id: number;
	role: string;
	content: string;
	status: string;
}
interface Got {
	messages: Shown[];
	versions: Record<string, { index: number; count: number; prev: number | null; next: number | null }>;
}

const replyCalls = (mock: Mock) => mock.handler.requests.filter((r) => r.body.stream === true);

describe('versions of a message', () => {
	let mock: Mock;
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 8 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test-key' });
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	async function newChat(v: Visitor) {
		const res = await v.mutate('chats.create', {});
		expect(res.status).toBe(200);
		return res.body.result.data.id as string;
	}
	async function get(v: Visitor, id: string): Promise<Got> {
		const res = await v.query('chats.get', { id });
		expect(res.status).toBe(200);
		return res.body.result.data;
	}
	async function say(v: Visitor, id: string, body: unknown) {
		const res = await v.send(id, body);
		expect(res.status).toBe(200);
		const events = await readSse(res);
		expect(events.at(-1)!.event).toBe('done');
		return { start: events[0].data, text: textOf(events) };
	}
	const shown = async (v: Visitor, id: string) => (await get(v, id)).messages.map((m) => m.content);
	const allRows = (chatId: string) =>
		app.db.query<{ id: number; active: number }>('SELECT id, active FROM message WHERE chat_id = ? ORDER BY id', [
			chatId
		]);

	it('regenerate keeps every earlier answer, reachable one by one with the switcher', async () => {
		const chatId = await newChat(alice);
		const first = await say(alice, chatId, { content: 'Name a colour' });
		const second = await say(alice, chatId, { regenerate: true });
		const third = await say(alice, chatId, { regenerate: true });
		let got = await get(alice, chatId);
		expect(got.messages.map((m) => m.content)).toEqual(['Name a colour', third.text]);
		const last = got.messages[1];
		expect(got.versions[last.id]).toEqual({
			index: 3,
			count: 3,
			prev: Number(second.start.assistantMessageId),
			next: null
		});
		// The question has one version: no switcher for it.
		expect(got.versions[got.messages[0].id]).toBeUndefined();

		const res = await alice.mutate('chats.showVersion', { id: chatId, messageId: first.start.assistantMessageId });
		expect(res.status).toBe(200);
		got = await get(alice, chatId);
		expect(got.messages.map((m) => m.content)).toEqual(['Name a colour', first.text]);
		expect(got.versions[got.messages[1].id]).toMatchObject({ index: 1, count: 3, prev: null });

		// What goes upstream is the branch on show.
		await say(alice, chatId, { content: 'And another?' });
		expect(
			replyCalls(mock)
				.at(-1)!
				.body.messages.map((m: { content: string }) => m.content)
		).toEqual(['Name a colour', first.text, 'And another?']);
	});

	it('edit and resend starts a new branch from that message and keeps the old branch whole', async () => {
		const chatId = await newChat(alice);
		const q1 = await say(alice, chatId, { content: 'Plan a trip to Nara' });
		const q2 = await say(alice, chatId, { content: 'Make it three days' });
		const oldBranch = await shown(alice, chatId);
		expect(oldBranch).toHaveLength(4);

		const edit = await say(alice, chatId, { content: 'Plan a trip to Osaka', editOf: q1.start.userMessageId });
		const got = await get(alice, chatId);
		expect(got.messages.map((m) => m.content)).toEqual(['Plan a trip to Osaka', edit.text]);
		expect(got.versions[got.messages[0].id]).toEqual({
			index: 2,
			count: 2,
			prev: Number(q1.start.userMessageId),
			next: null
		});
		// Only the history before the edited message went upstream.
		expect(
			replyCalls(mock)
				.at(-1)!
				.body.messages.map((m: { content: string }) => m.content)
		).toEqual(['Plan a trip to Osaka']);

		await alice.mutate('chats.showVersion', { id: chatId, messageId: q1.start.userMessageId });
		expect(await shown(alice, chatId)).toEqual(oldBranch);
		const back = await get(alice, chatId);
		expect(back.versions[back.messages[0].id]).toMatchObject({
			index: 1,
			count: 2,
			next: Number(edit.start.userMessageId)
		});
		expect(back.messages[2].content).toBe('Make it three days');
		expect(String(back.messages[3].id)).toBe(q2.start.assistantMessageId);

		// And forward again: the newest branch under the edit comes back.
		await alice.mutate('chats.showVersion', { id: chatId, messageId: edit.start.userMessageId });
		expect(await shown(alice, chatId)).toEqual(['Plan a trip to Osaka', edit.text]);
		// The chat list previews the branch on show.
		const list = (await alice.query('chats.list')).body.result.data as { id: string; preview: string }[];
		const preview = list.find((c) => c.id === chatId)!.preview;
		expect(preview).toContain('Osaka');
		expect(preview).not.toContain('three days');
	});

	it('never loses a sample chat’s answer: regenerating it keeps the original as version 1', async () => {
		const [sample] = (await alice.query('chats.list')).body.result.data.filter((c: { title: string }) =>
			c.title.includes('Kyoto')
		);
		const before = await get(alice, sample.id);
		const original = before.messages.at(-1)!;
		expect(original.role).toBe('assistant');
		await say(alice, sample.id, { regenerate: true });
		const after = await get(alice, sample.id);
		expect(after.messages).toHaveLength(before.messages.length);
		expect(after.versions[after.messages.at(-1)!.id]).toMatchObject({ index: 2, count: 2, prev: original.id });
		await alice.mutate('chats.showVersion', { id: sample.id, messageId: original.id });
		expect((await get(alice, sample.id)).messages).toEqual(before.messages);

		// An earlier answer of a sample chat can be redone too; what followed it stays reachable.
		const earlier = before.messages.findLast((m, i) => m.role === 'assistant' && i < before.messages.length - 1)!;
		await say(alice, sample.id, { regenerate: true, messageId: earlier.id });
		const redone = await get(alice, sample.id);
		expect(redone.messages.at(-1)!.id).not.toBe(earlier.id);
		expect(redone.versions[redone.messages.at(-1)!.id]).toMatchObject({ count: 2, prev: earlier.id });
		await alice.mutate('chats.showVersion', { id: sample.id, messageId: earlier.id });
		// Back on that branch, each later turn shows its newest version; the others stay one tap away.
		const back = await get(alice, sample.id);
		expect(back.messages.slice(0, -1)).toEqual(before.messages.slice(0, -1));
		expect(back.versions[back.messages.at(-1)!.id]).toMatchObject({ index: 2, count: 2, prev: original.id });
	});

	it('deletes a message with what followed it; another version of its turn takes its place', async () => {
		const chatId = await newChat(alice);
		await say(alice, chatId, { content: 'One' });
		const two = await say(alice, chatId, { content: 'Two' });
		const again = await say(alice, chatId, { regenerate: true });
		// The newest answer goes; the earlier one is shown again.
		let res = await alice.mutate('chats.deleteMessage', { id: chatId, messageId: again.start.assistantMessageId });
		expect(res.status).toBe(200);
		let got = await get(alice, chatId);
		expect(got.messages.map((m) => m.content)).toEqual(['One', expect.any(String), 'Two', two.text]);
		expect(got.versions).toEqual({});
		// Deleting the question takes its answer with it.
		res = await alice.mutate('chats.deleteMessage', { id: chatId, messageId: two.start.userMessageId });
		expect(res.status).toBe(200);
		got = await get(alice, chatId);
		expect(got.messages.map((m) => m.content)).toEqual(['One', expect.any(String)]);
		expect((await allRows(chatId)).length).toBe(2);
	});

	it('refuses another user’s messages and bad input with a clear error, changing nothing', async () => {
		const chatId = await newChat(alice);
		const q = await say(alice, chatId, { content: 'Mine' });
		await say(alice, chatId, { regenerate: true });
		const rows = await allRows(chatId);
		const bobChat = await newChat(bob);

		for (const [proc, input] of [
			['chats.showVersion', { id: chatId, messageId: q.start.assistantMessageId }],
			['chats.deleteMessage', { id: chatId, messageId: q.start.userMessageId }],
			['chats.showVersion', { id: bobChat, messageId: q.start.assistantMessageId }],
			['chats.deleteMessage', { id: bobChat, messageId: q.start.userMessageId }]
		] as const) {
			const res = await bob.mutate(proc, input);
			expect(res.status, `${proc} ${JSON.stringify(input)}`).toBe(404);
		}
		for (const body of [
			{ content: 'Hijack', editOf: q.start.userMessageId },
			{ regenerate: true, messageId: q.start.assistantMessageId }
		]) {
			const res = await bob.send(bobChat, body);
			expect(res.status).toBe(404);
			expect((await res.json()).code).toBe('not_found');
		}
		// An answer is not the person's to edit; a question is not an answer to redo.
		expect((await alice.send(chatId, { content: 'x', editOf: q.start.assistantMessageId })).status).toBe(404);
		expect((await alice.send(chatId, { regenerate: true, messageId: q.start.userMessageId })).status).toBe(404);
		// A hidden version cannot be edited in place: show it first.
		expect((await alice.send(chatId, { regenerate: true, messageId: q.start.assistantMessageId })).status).toBe(404);
		for (const body of [
			{ content: 'x', editOf: 'abc' },
			{ content: 'x', editOf: -1 },
			{ content: 'x', editOf: true },
			{ regenerate: true, messageId: 0 },
			{ regenerate: true, editOf: 1 }
		]) {
			const res = await alice.send(chatId, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
		}
		for (const input of [{ id: chatId, messageId: 'x' }, { id: chatId }, { id: '../', messageId: 1 }]) {
			expect((await alice.mutate('chats.showVersion', input)).status).toBe(400);
		}
		expect((await alice.mutate('chats.showVersion', { id: chatId, messageId: 999999999 })).status).toBe(404);
		expect(await allRows(chatId)).toEqual(rows);
	});

	it('refuses to switch versions or delete while a reply is streaming', async () => {
		const chatId = await newChat(alice);
		const q = await say(alice, chatId, { content: 'First' });
		await say(alice, chatId, { regenerate: true });
		const res = await alice.send(chatId, {
			content: `slow [[mock:${JSON.stringify({ tokens: 40, delayMs: 50 })}]]`
		});
		const reading = readSse(res);
		const rows = await allRows(chatId);
		expect(
			(await alice.mutate('chats.showVersion', { id: chatId, messageId: q.start.assistantMessageId })).status
		).toBe(409);
		expect((await alice.mutate('chats.deleteMessage', { id: chatId, messageId: q.start.userMessageId })).status).toBe(
			409
		);
		expect((await alice.send(chatId, { content: 'x', editOf: q.start.userMessageId })).status).toBe(409);
		expect(await allRows(chatId)).toEqual(rows);
		await reading;
	});

	it('opens the same untouched chat when asked to reuse one, and a new one once it has messages', async () => {
		const a = (await alice.mutate('chats.create', { reuseEmpty: true })).body.result.data.id;
		const b = (await alice.mutate('chats.create', { reuseEmpty: true })).body.result.data.id;
		expect(b).toBe(a);
		const p1 = (await alice.mutate('chats.create', { promptSlug: 'daily-trip', reuseEmpty: true })).body.result.data.id;
		const p2 = (await alice.mutate('chats.create', { promptSlug: 'daily-trip', reuseEmpty: true })).body.result.data.id;
		expect(p2).toBe(p1);
		expect(p1).not.toBe(a);
		// Bob's empty chat is never handed to Alice.
		const bobs = (await bob.mutate('chats.create', { reuseEmpty: true })).body.result.data.id;
		expect(bobs).not.toBe(a);
		await say(alice, a, { content: 'Now it is used' });
		const c = (await alice.mutate('chats.create', { reuseEmpty: true })).body.result.data.id;
		expect(c).not.toBe(a);
	});
});
