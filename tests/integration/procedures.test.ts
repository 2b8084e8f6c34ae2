import { plainText } from '../../src/lib/text';
// Every tRPC procedure against the real database, through HTTP the way the browser calls
// them: listing, searching, paging, creating, renaming, deleting, clearing, prompts, the
// account, input validation, ownership, storage of large text, and a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { readSse, Visitor } from '../helpers/visitor';

const ENV = { DEFAULT_QUOTA: '25' };

type Result = { status: number; body: any };

const dataOf = (r: Result) => {
	if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(r.body)}`);
	return r.body.result.data;
};

function expectError(r: Result, code: string, status: number) {
	expect(r.status, JSON.stringify(r.body)).toBe(status);
	expect(r.body.error.data.code).toBe(code);
	expect(r.body.error.data.httpStatus).toBe(status);
	// Never a stack trace on the wire.
	expect(r.body.error.data.stack).toBeUndefined();
}

/** A tRPC query with extra request headers (Visitor.query sends none). */
async function queryWith(v: Visitor, proc: string, input: unknown, headers: Record<string, string>): Promise<Result> {
	const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
	const res = await v.fetch(`/api/trpc/${proc}${q}`, { headers });
	return { status: res.status, body: await res.json() };
}

/** A JSON column, whether the driver hands it back parsed or as text. */
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

async function userIdOf(v: Visitor): Promise<string> {
	return dataOf(await v.query('me.get')).id;
}

/** Everything the database holds for one user (but the visit time, which reads bump). */
async function snapshot(db: TestDatabase, userId: string) {
	const user = await db.query('SELECT id, quota_used, quota_limit, locale, theme, created_at FROM user WHERE id = ?', [
		userId
	]);
	const chats = await db.query(
		'SELECT id, prompt_slug, title, system_prompt, settings, created_at, updated_at FROM chat WHERE user_id = ? ORDER BY id',
		[userId]
	);
	const messages = await db.query(
		'SELECT id, chat_id, user_id, role, content, status, error_code, created_at FROM message WHERE user_id = ? ORDER BY id',
		[userId]
	);
	return JSON.parse(JSON.stringify({ user, chats, messages }));
}

async function totals(db: TestDatabase) {
	const [row] = await db.query(
		'SELECT (SELECT COUNT(*) FROM user) users, (SELECT COUNT(*) FROM chat) chats, (SELECT COUNT(*) FROM message) messages, (SELECT COUNT(*) FROM session) sessions'
	);
	return {
		users: Number(row.users),
		chats: Number(row.chats),
		messages: Number(row.messages),
		sessions: Number(row.sessions)
	};
}

/** Inserts `n` messages straight into the database, alternating user/assistant. */
async function seedMessages(
	db: TestDatabase,
	chatId: string,
	userId: string,
	n: number,
	text = (i: number) => `message ${String(i).padStart(3, '0')}`
) {
	const rows = Array.from({ length: n }, (_, i) => [
		chatId,
		userId,
		i % 2 === 0 ? 'user' : 'assistant',
		text(i + 1),
		'complete'
	]);
	await db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);
}

/** Sends a message through the streaming endpoint with a tiny, instant demo reply. */
async function sendQuick(v: Visitor, chatId: string, text: string) {
	const res = await v.send(chatId, { content: `[[mock:{"tokens":3,"ttftMs":0,"delayMs":0}]] ${text}` });
	expect(res.status).toBe(200);
	const events = await readSse(res);
	expect(events.at(-1)?.event).toBe('done');
}

describe('tRPC procedures against the real database', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	let aliceId: string;
	let bobId: string;

	beforeAll(async () => {
		app = await startApp(ENV);
		alice = await Visitor.arrive(app.url);
		bob = await Visitor.arrive(app.url);
		aliceId = await userIdOf(alice);
		bobId = await userIdOf(bob);
	});
	afterAll(() => app?.close());

	describe('chats.list', () => {
		it('lists the four sample chats of a new visitor newest first, each with a title, a preview and a time', async () => {
			const v = await Visitor.arrive(app.url);
			const chats = dataOf(await v.query('chats.list'));
			expect(chats).toHaveLength(4);
			for (const c of chats) {
				expect(c.id).toMatch(/^[0-9a-z]{1,24}$/);
				expect(c.title.length).toBeGreaterThan(0);
				expect(c.preview.length).toBeGreaterThan(0);
				expect(c.preview.length).toBeLessThanOrEqual(160);
				expect(Number.isNaN(Date.parse(c.updatedAt))).toBe(false);
			}
			const times = chats.map((c: any) => Date.parse(c.updatedAt));
			expect(times).toEqual([...times].sort((x, y) => y - x));
			// The preview is the start of the chat's last message, as plain text.
			const [last] = await app.db.query('SELECT content FROM message WHERE chat_id = ? ORDER BY id DESC LIMIT 1', [
				chats[0].id
			]);
			expect(plainText(last.content).startsWith(chats[0].preview.slice(0, 100))).toBe(true);
		});

		it('puts a newly created chat first', async () => {
			const created = dataOf(await alice.mutate('chats.create', { title: 'Fresh on top' }));
			const chats = dataOf(await alice.query('chats.list'));
			expect(chats[0].id).toBe(created.id);
			expect(chats[0].title).toBe('Fresh on top');
			expect(chats[0].preview).toBe('');
		});

		it('moves a chat to the top when a message is sent in it, with that message as the preview', async () => {
			const before = dataOf(await alice.query('chats.list'));
			const oldest = before.at(-1);
			expect(before[0].id).not.toBe(oldest.id);
			await sendQuick(alice, oldest.id, 'bump this chat please');
			const after = dataOf(await alice.query('chats.list'));
			expect(after[0].id).toBe(oldest.id);
			expect(after).toHaveLength(before.length);
			// The last message is the reply just generated.
			const [reply] = await app.db.query(
				'SELECT content, role, status FROM message WHERE chat_id = ? ORDER BY id DESC LIMIT 1',
				[oldest.id]
			);
			expect(reply).toMatchObject({ role: 'assistant', status: 'complete' });
			expect(after[0].preview).toBe([...plainText(reply.content)].slice(0, 160).join('').trimEnd());
		});

		it('finds chats by title, ignoring case', async () => {
			const created = dataOf(await alice.mutate('chats.create', { title: 'Zebra migration notes' }));
			const found = dataOf(await alice.query('chats.list', { query: 'zEBRA MIGR' }));
			expect(found.map((c: any) => c.id)).toEqual([created.id]);
		});

		it('finds chats by the text of their messages', async () => {
			const created = dataOf(await alice.mutate('chats.create', { title: 'Nothing in this title' }));
			await seedMessages(app.db, created.id, aliceId, 3, (i) =>
				i === 2 ? 'the quokka smiled at the camera' : `plain ${i}`
			);
			const found = dataOf(await alice.query('chats.list', { query: 'quokka smiled' }));
			expect(found.map((c: any) => c.id)).toEqual([created.id]);
		});

		it('finds nothing when nothing matches', async () => {
			expect(dataOf(await alice.query('chats.list', { query: 'no chat says xylophone-wombat' }))).toEqual([]);
		});

		it('treats %, _ and \\ in the search text as literal characters, not wildcards', async () => {
			const v = await Visitor.arrive(app.url);
			for (const c of dataOf(await v.query('chats.list'))) dataOf(await v.mutate('chats.delete', { id: c.id }));
			const titles = ['100% sure', '1000 sure', 'snake_case', 'snakeXcase', 'back\\slash', 'backslash'];
			const ids: Record<string, string> = {};
			for (const title of titles) ids[title] = dataOf(await v.mutate('chats.create', { title })).id;
			const search = async (query: string) =>
				dataOf(await v.query('chats.list', { query }))
					.map((c: any) => c.title)
					.sort();
			expect(await search('%')).toEqual(['100% sure']);
			expect(await search('0% s')).toEqual(['100% sure']);
			expect(await search('_')).toEqual(['snake_case']);
			expect(await search('e_c')).toEqual(['snake_case']);
			expect(await search('\\')).toEqual(['back\\slash']);
			expect(await search('k\\s')).toEqual(['back\\slash']);
			// A plain search still matches as a substring.
			expect(await search('sure')).toEqual(['100% sure', '1000 sure']);
		});

		it("never lists or finds another visitor's chats", async () => {
			const secret = dataOf(await alice.mutate('chats.create', { title: 'Alice private pangolin plans' }));
			expect(dataOf(await bob.query('chats.list', { query: 'pangolin' }))).toEqual([]);
			expect(dataOf(await bob.query('chats.list')).map((c: any) => c.id)).not.toContain(secret.id);
		});
	});

	describe('chats.get', () => {
		it('returns a sample chat with its messages oldest to newest and no older page', async () => {
			const [chat] = dataOf(await alice.query('chats.list', { query: 'Kyoto' }));
			const got = dataOf(await alice.query('chats.get', { id: chat.id }));
			expect(got.chat).toMatchObject({ id: chat.id, title: 'A relaxed weekend in Kyoto', promptSlug: 'daily-trip' });
			expect(got.messages.length).toBeGreaterThanOrEqual(2);
			expect(got.messages.map((m: any) => m.role)).toEqual(
				got.messages.map((_: any, i: number) => (i % 2 ? 'assistant' : 'user'))
			);
			const ids = got.messages.map((m: any) => m.id);
			expect(ids).toEqual([...ids].sort((x, y) => x - y));
			expect(got.olderCursor).toBeNull();
			expect(got.opening).toBeNull();
		});

		it('pages 120 messages 50 at a time, newest page first, and walking olderCursor yields each message once in order', async () => {
			const chat = dataOf(await alice.mutate('chats.create', { title: 'Long history' }));
			await seedMessages(app.db, chat.id, aliceId, 120);
			const pages: any[][] = [];
			let cursor: number | null | undefined;
			do {
				const got = dataOf(await alice.query('chats.get', cursor ? { id: chat.id, before: cursor } : { id: chat.id }));
				pages.push(got.messages);
				if (got.olderCursor !== null) expect(got.olderCursor).toBe(got.messages[0].id);
				cursor = got.olderCursor;
			} while (cursor && pages.length < 10);
			expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
			expect(pages[0].at(-1).content).toBe('message 120');
			expect(pages[0][0].content).toBe('message 071');
			const all = pages.reverse().flat();
			expect(all.map((m) => m.content)).toEqual(
				Array.from({ length: 120 }, (_, i) => `message ${String(i + 1).padStart(3, '0')}`)
			);
			expect(new Set(all.map((m) => m.id)).size).toBe(120);
			const ids = all.map((m) => m.id);
			expect(ids).toEqual([...ids].sort((x, y) => x - y));
		});

		it('honours a smaller page size', async () => {
			const [chat] = dataOf(await alice.query('chats.list', { query: 'Long history' }));
			const got = dataOf(await alice.query('chats.get', { id: chat.id, limit: 7 }));
			expect(got.messages.map((m: any) => m.content)).toEqual(
				['114', '115', '116', '117', '118', '119', '120'].map((n) => `message ${n}`)
			);
			expect(got.olderCursor).toBe(got.messages[0].id);
		});

		it('keeps 1 MB of UTF-8 text with emoji byte for byte', async () => {
			const chat = dataOf(await alice.mutate('chats.create', { title: 'Big message' }));
			const unit = 'Hello 👋 naïve café — 中文测试 👩‍👩‍👧‍👦 🇯🇵 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✅\n';
			const big = unit.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(unit)));
			expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(1024 * 1024);
			await app.db.query(
				"INSERT INTO message (chat_id, user_id, role, content, status) VALUES (?, ?, 'assistant', ?, 'complete')",
				[chat.id, aliceId, big]
			);
			const [stored] = await app.db.query(
				'SELECT LENGTH(content) bytes, CHAR_LENGTH(content) chars FROM message WHERE chat_id = ?',
				[chat.id]
			);
			expect(Number(stored.bytes)).toBe(Buffer.byteLength(big));
			expect(Number(stored.chars)).toBe([...big].length);

			const got = dataOf(await alice.query('chats.get', { id: chat.id }));
			expect(got.messages).toHaveLength(1);
			const content: string = got.messages[0].content;
			expect(content.length).toBe(big.length);
			expect(Buffer.from(content, 'utf8').equals(Buffer.from(big, 'utf8'))).toBe(true);

			// The list preview cuts by characters and never splits an emoji.
			const [listed] = dataOf(await alice.query('chats.list', { query: 'Big message' }));
			expect(listed.preview).toBe([...big].slice(0, 160).join('').replace(/\s+/g, ' ').trim());
			expect(listed.preview).not.toMatch(/\uFFFD/);
		});
	});

	describe('chats.create', () => {
		it("copies the prompt's system prompt and settings and offers its opening message", async () => {
			const [p] = await app.db.query("SELECT * FROM prompt WHERE slug = 'coding-debug' AND locale = 'en'");
			const chat = dataOf(await alice.mutate('chats.create', { promptSlug: 'coding-debug' }));
			expect(chat).toMatchObject({ promptSlug: 'coding-debug', title: p.title, systemPrompt: p.system_prompt });
			const [row] = await app.db.query('SELECT * FROM chat WHERE id = ?', [chat.id]);
			expect(row).toMatchObject({
				user_id: aliceId,
				prompt_slug: 'coding-debug',
				title: p.title,
				system_prompt: p.system_prompt
			});
			expect(json(row.settings)).toEqual(json(p.settings));
			expect(Object.keys(json(row.settings)).length).toBeGreaterThan(0);
			expect(chat.settings).toEqual(json(p.settings));

			const got = dataOf(await alice.query('chats.get', { id: chat.id }));
			expect(got.messages).toEqual([]);
			expect(got.opening).toBe(p.opening_message);
			expect(dataOf(await alice.query('chats.list'))[0].id).toBe(chat.id);
		});

		it("uses the visitor's language for the copied prompt and the opening", async () => {
			const v = await Visitor.arrive(app.url);
			dataOf(await v.mutate('me.update', { locale: 'zh-CN' }));
			const [p] = await app.db.query("SELECT * FROM prompt WHERE slug = 'study-quiz' AND locale = 'zh-CN'");
			const chat = dataOf(await v.mutate('chats.create', { promptSlug: 'study-quiz' }));
			expect(chat.title).toBe(p.title);
			expect(chat.systemPrompt).toBe(p.system_prompt);
			expect(dataOf(await v.query('chats.get', { id: chat.id })).opening).toBe(p.opening_message);
		});

		it('creates a blank chat with no system prompt, no settings and no opening', async () => {
			const chat = dataOf(await alice.mutate('chats.create', {}));
			expect(chat).toMatchObject({ promptSlug: null, title: '', systemPrompt: '', settings: {} });
			const got = dataOf(await alice.query('chats.get', { id: chat.id }));
			expect(got).toMatchObject({ messages: [], olderCursor: null, opening: null });
			const withNull = dataOf(await alice.mutate('chats.create', { promptSlug: null, title: '  Trimmed title  ' }));
			expect(withNull).toMatchObject({ promptSlug: null, title: 'Trimmed title' });
			const [row] = await app.db.query('SELECT user_id, title FROM chat WHERE id = ?', [withNull.id]);
			expect(row).toEqual({ user_id: aliceId, title: 'Trimmed title' });
		});

		it('answers NOT_FOUND for an unknown prompt slug and creates nothing', async () => {
			const before = await totals(app.db);
			expectError(await alice.mutate('chats.create', { promptSlug: 'no-such-prompt' }), 'NOT_FOUND', 404);
			expect(await totals(app.db)).toEqual(before);
		});
	});

	describe('chats.rename, chats.delete and chats.clear', () => {
		it('renames a chat, trimming the title, and keeps its messages', async () => {
			const [chat] = dataOf(await alice.query('chats.list', { query: 'compound interest' }));
			const messagesBefore = (await snapshot(app.db, aliceId)).messages.filter((m: any) => m.chat_id === chat.id);
			const renamed = dataOf(await alice.mutate('chats.rename', { id: chat.id, title: '  Interest, explained  ' }));
			expect(renamed).toMatchObject({ id: chat.id, title: 'Interest, explained' });
			const [row] = await app.db.query('SELECT title FROM chat WHERE id = ?', [chat.id]);
			expect(row.title).toBe('Interest, explained');
			const messagesAfter = (await snapshot(app.db, aliceId)).messages.filter((m: any) => m.chat_id === chat.id);
			expect(messagesAfter).toEqual(messagesBefore);
			expect(messagesAfter.length).toBeGreaterThan(0);
		});

		it('accepts a title of exactly 200 characters', async () => {
			const chat = dataOf(await alice.mutate('chats.create', {}));
			const title = '题'.repeat(200);
			expect(dataOf(await alice.mutate('chats.rename', { id: chat.id, title })).title).toBe(title);
			const [row] = await app.db.query('SELECT title FROM chat WHERE id = ?', [chat.id]);
			expect(row.title).toBe(title);
		});

		it('clears the messages of a chat but keeps the chat', async () => {
			const chat = dataOf(await alice.mutate('chats.create', { title: 'To be cleared' }));
			await seedMessages(app.db, chat.id, aliceId, 6);
			expect(dataOf(await alice.mutate('chats.clear', { id: chat.id }))).toEqual({ id: chat.id });
			const [{ n }] = await app.db.query('SELECT COUNT(*) n FROM message WHERE chat_id = ?', [chat.id]);
			expect(Number(n)).toBe(0);
			const got = dataOf(await alice.query('chats.get', { id: chat.id }));
			expect(got).toMatchObject({ chat: { id: chat.id, title: 'To be cleared' }, messages: [], olderCursor: null });
		});

		it('deletes a chat with its messages', async () => {
			const chat = dataOf(await alice.mutate('chats.create', { title: 'To be deleted' }));
			await seedMessages(app.db, chat.id, aliceId, 4);
			expect(dataOf(await alice.mutate('chats.delete', { id: chat.id }))).toEqual({ id: chat.id });
			expect(await app.db.query('SELECT id FROM chat WHERE id = ?', [chat.id])).toEqual([]);
			expect(await app.db.query('SELECT id FROM message WHERE chat_id = ?', [chat.id])).toEqual([]);
			expect(dataOf(await alice.query('chats.list')).map((c: any) => c.id)).not.toContain(chat.id);
			expectError(await alice.query('chats.get', { id: chat.id }), 'NOT_FOUND', 404);
			expectError(await alice.mutate('chats.delete', { id: chat.id }), 'NOT_FOUND', 404);
		});
	});

	describe('invalid input', () => {
		const validId = 'abcdefghij012345';
		const cases: [string, 'query' | 'mutate', unknown][] = [
			['chats.get', 'query', { id: 'NOT-AN-ID' }],
			['chats.get', 'query', { id: 'a'.repeat(25) }],
			['chats.get', 'query', { id: '' }],
			['chats.get', 'query', { id: 12345 }],
			['chats.get', 'query', {}],
			['chats.get', 'query', { id: validId, limit: 0 }],
			['chats.get', 'query', { id: validId, limit: 201 }],
			['chats.get', 'query', { id: validId, limit: '10' }],
			['chats.get', 'query', { id: validId, before: -1 }],
			['chats.get', 'query', { id: validId, before: 1.5 }],
			['chats.get', 'query', { id: validId, before: 'latest' }],
			['chats.list', 'query', { query: 42 }],
			['chats.list', 'query', { query: 'x'.repeat(201) }],
			['chats.create', 'mutate', { title: 'x'.repeat(201) }],
			['chats.create', 'mutate', { title: 7 }],
			['chats.create', 'mutate', { promptSlug: 'Not A Slug!' }],
			['chats.create', 'mutate', { promptSlug: 3 }],
			['chats.rename', 'mutate', { id: 'Bad Id', title: 'x' }],
			['chats.rename', 'mutate', { id: '<victim>', title: 'x' }],
			['chats.rename', 'mutate', { title: 'x' }],
			['chats.delete', 'mutate', { id: '../etc' }],
			['chats.delete', 'mutate', {}],
			['chats.delete', 'mutate', { id: null }],
			['chats.clear', 'mutate', { id: 'UPPER' }],
			['chats.clear', 'mutate', { id: ['abc'] }],
			['chats.clear', 'mutate', null],
			['me.update', 'mutate', {}],
			['me.update', 'mutate', { locale: 'fr' }],
			['me.update', 'mutate', { theme: 'neon' }],
			['me.update', 'mutate', { theme: 1 }],
			['me.update', 'mutate', { locale: ['en'] }]
		];

		it.each(cases)('%s (%s) answers BAD_REQUEST for %j and changes nothing', async (proc, kind, input) => {
			const before = { mine: await snapshot(app.db, aliceId), all: await totals(app.db) };
			const r = kind === 'query' ? await alice.query(proc, input) : await alice.mutate(proc, input);
			expectError(r, 'BAD_REQUEST', 400);
			expect({ mine: await snapshot(app.db, aliceId), all: await totals(app.db) }).toEqual(before);
		});

		it('answers BAD_REQUEST for a rename to an empty, blank or over-long title and keeps the old title', async () => {
			const [chat] = dataOf(await alice.query('chats.list'));
			const before = await snapshot(app.db, aliceId);
			for (const title of ['', '    ', '\n\t', 'x'.repeat(201), 5, null]) {
				expectError(await alice.mutate('chats.rename', { id: chat.id, title }), 'BAD_REQUEST', 400);
			}
			expect(await snapshot(app.db, aliceId)).toEqual(before);
		});

		it('answers 400 to a body that is not JSON', async () => {
			const before = await totals(app.db);
			const res = await alice.fetch('/api/trpc/chats.create', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"title": '
			});
			expect(res.status).toBe(400);
			await res.text();
			expect(await totals(app.db)).toEqual(before);
		});
	});

	describe("another visitor's chat", () => {
		let victimChat: string;
		let victimBefore: any;

		beforeAll(async () => {
			const chat = dataOf(await alice.mutate('chats.create', { title: 'Alice only' }));
			await seedMessages(app.db, chat.id, aliceId, 5);
			victimChat = chat.id;
			victimBefore = await snapshot(app.db, aliceId);
		});

		const attempts: [string, 'query' | 'mutate', (id: string) => unknown][] = [
			['chats.get', 'query', (id) => ({ id })],
			['chats.get', 'query', (id) => ({ id, before: 1_000_000, limit: 200 })],
			['chats.rename', 'mutate', (id) => ({ id, title: 'Taken over' })],
			['chats.clear', 'mutate', (id) => ({ id })],
			['chats.delete', 'mutate', (id) => ({ id })]
		];

		it.each(attempts)('%s (%s) answers NOT_FOUND and leaves the owner’s rows untouched', async (proc, kind, input) => {
			const bobBefore = await snapshot(app.db, bobId);
			const r = kind === 'query' ? await bob.query(proc, input(victimChat)) : await bob.mutate(proc, input(victimChat));
			expectError(r, 'NOT_FOUND', 404);
			expect(JSON.stringify(r.body)).not.toContain('Alice only');
			expect(await snapshot(app.db, aliceId)).toEqual(victimBefore);
			expect(await snapshot(app.db, bobId)).toEqual(bobBefore);
		});

		it('answers a message sent into it with 404, stores nothing and takes no quota', async () => {
			const bobBefore = await snapshot(app.db, bobId);
			const res = await bob.send(victimChat, { content: 'let me in' });
			expect(res.status).toBe(404);
			expect((await res.json()).code).toBe('not_found');
			expect(await snapshot(app.db, aliceId)).toEqual(victimBefore);
			expect(await snapshot(app.db, bobId)).toEqual(bobBefore);
		});

		it('is the same answer as a chat that does not exist at all', async () => {
			const missing = await bob.query('chats.get', { id: 'zzzzzzzzzzzzzzzz' });
			const foreign = await bob.query('chats.get', { id: victimChat });
			expectError(missing, 'NOT_FOUND', 404);
			expect(foreign.body.error.message).toBe(missing.body.error.message);
			// And the owner still has it.
			expect(dataOf(await alice.query('chats.get', { id: victimChat })).messages).toHaveLength(5);
		});
	});

	describe('prompts.list', () => {
		it('returns at least 12 English prompts in at least 4 categories, in display order', async () => {
			const prompts = dataOf(await alice.query('prompts.list'));
			expect(prompts.length).toBeGreaterThanOrEqual(12);
			expect(new Set(prompts.map((p: any) => p.category)).size).toBeGreaterThanOrEqual(4);
			expect(new Set(prompts.map((p: any) => p.slug)).size).toBe(prompts.length);
			for (const p of prompts) {
				expect(p.locale).toBe('en');
				expect(p.title).toMatch(/[A-Za-z]/);
				expect(p.title).not.toMatch(/[\u4e00-\u9fff]/);
				expect(p.description.length).toBeGreaterThan(0);
				expect(p.systemPrompt.length).toBeGreaterThan(0);
				expect(p.openingMessage.length).toBeGreaterThan(0);
			}
			const sorts = prompts.map((p: any) => p.sort);
			expect(sorts).toEqual([...sorts].sort((x, y) => x - y));
		});

		it('answers in Chinese for an Accept-Language of zh-CN, with the same prompts', async () => {
			const en = dataOf(await alice.query('prompts.list'));
			const zh = dataOf(
				await queryWith(bob, 'prompts.list', undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' })
			);
			expect(zh.map((p: any) => p.slug)).toEqual(en.map((p: any) => p.slug));
			for (const p of zh) {
				expect(p.locale).toBe('zh-CN');
				expect(p.title).toMatch(/[\u4e00-\u9fff]/);
			}
			expect(zh.map((p: any) => p.title)).not.toEqual(en.map((p: any) => p.title));
		});

		it("prefers the visitor's saved language over Accept-Language", async () => {
			const v = await Visitor.arrive(app.url);
			dataOf(await v.mutate('me.update', { locale: 'zh-CN' }));
			const zh = dataOf(await queryWith(v, 'prompts.list', undefined, { 'accept-language': 'en-US' }));
			expect(zh.every((p: any) => p.locale === 'zh-CN')).toBe(true);
		});
	});

	describe('me.get and me.update', () => {
		it('reports the quota: none used, DEFAULT_QUOTA as the limit, all of it left', async () => {
			const v = await Visitor.arrive(app.url);
			const me = dataOf(await v.query('me.get'));
			expect(me).toMatchObject({
				quotaUsed: 0,
				quotaLimit: 25,
				quotaLeft: 25,
				locale: null,
				theme: 'system',
				demoModel: true
			});
			const [row] = await app.db.query('SELECT quota_used, quota_limit FROM user WHERE id = ?', [me.id]);
			expect(row).toEqual({ quota_used: 0, quota_limit: 25 });
		});

		it('counts one reply against the quota', async () => {
			const v = await Visitor.arrive(app.url);
			const [chat] = dataOf(await v.query('chats.list'));
			await sendQuick(v, chat.id, 'count me');
			expect(dataOf(await v.query('me.get'))).toMatchObject({ quotaUsed: 1, quotaLimit: 25, quotaLeft: 24 });
		});

		it('never reports a negative quota left', async () => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			await app.db.query('UPDATE user SET quota_used = quota_limit + 5 WHERE id = ?', [id]);
			expect(dataOf(await v.query('me.get'))).toMatchObject({ quotaUsed: 30, quotaLimit: 25, quotaLeft: 0 });
		});

		it('saves language and theme, one or both at a time, and back to automatic', async () => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			expect(dataOf(await v.mutate('me.update', { locale: 'zh-CN', theme: 'dark' }))).toMatchObject({
				locale: 'zh-CN',
				theme: 'dark'
			});
			expect(await app.db.query('SELECT locale, theme FROM user WHERE id = ?', [id])).toEqual([
				{ locale: 'zh-CN', theme: 'dark' }
			]);
			expect(dataOf(await v.mutate('me.update', { theme: 'light' }))).toMatchObject({
				locale: 'zh-CN',
				theme: 'light'
			});
			expect(dataOf(await v.mutate('me.update', { locale: null }))).toMatchObject({ locale: null, theme: 'light' });
			expect(await app.db.query('SELECT locale, theme FROM user WHERE id = ?', [id])).toEqual([
				{ locale: null, theme: 'light' }
			]);
		});

		it('cannot change the quota through me.update', async () => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			const r = await v.mutate('me.update', { theme: 'dark', quotaLimit: 1_000_000, quotaUsed: -50 });
			expect(r.status).toBe(200);
			expect(await app.db.query('SELECT quota_used, quota_limit FROM user WHERE id = ?', [id])).toEqual([
				{ quota_used: 0, quota_limit: 25 }
			]);
		});
	});

	describe('without a session', () => {
		const calls: [string, 'query' | 'mutate', unknown][] = [
			['chats.list', 'query', undefined],
			['chats.get', 'query', { id: 'abcdefghij012345' }],
			['prompts.list', 'query', undefined],
			['me.get', 'query', undefined],
			['chats.create', 'mutate', {}],
			['chats.rename', 'mutate', { id: 'abcdefghij012345', title: 'x' }],
			['chats.delete', 'mutate', { id: 'abcdefghij012345' }],
			['chats.clear', 'mutate', { id: 'abcdefghij012345' }],
			['me.update', 'mutate', { theme: 'dark' }]
		];

		it.each(calls)('%s (%s) answers 401 UNAUTHORIZED and registers nobody', async (proc, kind, input) => {
			const before = await totals(app.db);
			for (const cookie of ['', 'oreai_session=not-a-real-session']) {
				const v = new Visitor(app.url);
				v.cookie = cookie;
				const r = kind === 'query' ? await v.query(proc, input) : await v.mutate(proc, input);
				expectError(r, 'UNAUTHORIZED', 401);
			}
			expect(await totals(app.db)).toEqual(before);
		});
	});

	describe('restarting the app on the same database', () => {
		it('neither duplicates prompts nor changes the migration history or the schema, and keeps sessions', async () => {
			const state = async () => ({
				prompts: await app.db.query('SELECT id, slug, locale, title FROM prompt ORDER BY id'),
				migrations: JSON.parse(JSON.stringify(await app.db.query('SELECT * FROM __drizzle_migrations ORDER BY id'))),
				columns: await app.db.query(
					'SELECT table_name, column_name, column_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position'
				),
				alice: await snapshot(app.db, aliceId)
			});
			const before = await state();
			expect(before.prompts).toHaveLength(30);
			expect(before.migrations.length).toBeGreaterThanOrEqual(1);

			const db = app.db;
			expect(await app.stop()).toBe(0);
			app = await startApp(ENV, db);

			const after = await state();
			expect(after.prompts).toHaveLength(30);
			expect(after).toEqual(before);
			// The visitor's cookie still works against the restarted app (on a new port).
			alice = Object.assign(new Visitor(app.url), { cookie: alice.cookie });
			expect(await userIdOf(alice)).toBe(aliceId);
			expect(dataOf(await alice.query('prompts.list'))).toHaveLength(15);
		});
	});
});

describe('paging through many chats', () => {
	let app: RunningApp;
	let v: Visitor;
	beforeAll(async () => {
		app = await startApp();
		v = await Visitor.arrive(app.url);
		for (let i = 0; i < 116; i++) await v.mutate('chats.create', { title: `Chat number ${i}` });
	}, 60_000);
	afterAll(() => app?.close());

	it('walks every chat once, newest first, page by page with the cursor', async () => {
		const seen: string[] = [];
		let after: string | undefined;
		for (let page = 0; page < 10; page++) {
			const chats = (await v.query('chats.list', { limit: 50, ...(after ? { after } : {}) })).body.result.data;
			seen.push(...chats.map((c: { id: string }) => c.id));
			if (chats.length < 50) break;
			const last = chats.at(-1);
			after = `${Date.parse(last.updatedAt)}_${last.id}`;
		}
		expect(seen).toHaveLength(120);
		expect(new Set(seen).size).toBe(120);
		const [{ n }] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM chat');
		expect(Number(n)).toBe(120);
	});

	it('rejects a malformed cursor with BAD_REQUEST', async () => {
		const res = await v.query('chats.list', { after: 'not-a-cursor' });
		expect(res.status).toBe(400);
	});

	it('shows 50 chats on / with a link to the older ones that works without JavaScript', async () => {
		const first = await v.html('/');
		const ids = [...first.body.matchAll(/href="\/chat\/([a-z0-9]+)#latest"/g)].map((m) => m[1]);
		expect(ids).toHaveLength(50);
		const more = first.body.match(/href="\/\?after=([^"]+)"[^>]*data-testid="more-chats"/);
		expect(more).not.toBeNull();
		const second = await v.html(`/?after=${more![1]}`);
		const next = [...second.body.matchAll(/href="\/chat\/([a-z0-9]+)#latest"/g)].map((m) => m[1]);
		expect(next).toHaveLength(50);
		expect(next.some((id) => ids.includes(id))).toBe(false);
	});
});
