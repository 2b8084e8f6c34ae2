import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { plainText } from '../../src/lib/text';
// The server-rendered pages as a browser without JavaScript sees them: plain GETs, and
// form POSTs that expect HTML back (303 redirects, re-rendered pages, error pages).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { Visitor } from '../helpers/visitor';

const ENV = { DEFAULT_QUOTA: '40' };

// What a browser sends. Without it SvelteKit answers form actions as JSON for `use:enhance`.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function page(v: Visitor, path: string, headers: Record<string, string> = {}) {
	const res = await v.fetch(path, { headers: { accept: BROWSER_ACCEPT, ...headers } });
	return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

/** A form POST exactly as a browser without JavaScript sends it. */
async function submit(v: Visitor, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
	const res = await v.fetch(path, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: BROWSER_ACCEPT, ...headers },
		body: new URLSearchParams(fields).toString()
	});
	return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

const decode = (s: string) =>
	s
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;|&#x27;/g, "'")
		.replace(/&amp;/g, '&');

/** The rendered markup of <main>, without the hydration data that follows it. */
const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));

/** The rendered message list of a chat page. */
function messagesOf(html: string) {
	const region = html.slice(html.indexOf('data-testid="messages"'), html.indexOf('</main>'));
	const items = [
		...region.matchAll(/<li id="m\d+" data-role="(user|assistant)" data-status="(\w+)" data-id="(\d+)"/g)
	].map((m) => ({
		role: m[1],
		status: m[2],
		id: Number(m[3])
	}));
	return { region, items };
}

/** Chat links of the list on `/`, in page order, with their title, preview and time. */
function chatList(html: string) {
	const list = html.slice(
		html.indexOf('data-testid="chat-list"'),
		html.indexOf('</ul>', html.indexOf('data-testid="chat-list"'))
	);
	if (!html.includes('data-testid="chat-list"')) return [];
	return [
		...list.matchAll(
			/<a href="\/chat\/([0-9a-z]+)#latest"[^>]*>[\s\S]*?<span[^>]*>([^<]*)<\/span>\s*<time datetime="([^"]+)"[^>]*>([^<]+)<\/time>[\s\S]*?<p[^>]*>([^<]*)<\/p>/g
		)
	].map((m) => ({ id: m[1], title: decode(m[2]), datetime: m[3], ago: m[4], preview: decode(m[5]) }));
}

function bottomNav(html: string) {
	const nav = html.match(/<nav[^>]*data-testid="bottom-nav"[^>]*>([\s\S]*?)<\/nav>/)?.[1] ?? '';
	return [...nav.matchAll(/<a href="([^"]+)"( aria-current="page")?[^>]*>[\s\S]*?<\/svg>\s*([^<]+?)\s*<\/a>/g)].map(
		(m) => ({
			href: m[1],
			current: Boolean(m[2]),
			label: m[3]
		})
	);
}

const htmlTag = (html: string) => html.match(/<html[^>]*>/)?.[0];

async function userIdOf(v: Visitor): Promise<string> {
	return (await v.query('me.get')).body.result.data.id;
}

async function snapshot(db: TestDatabase, userId: string) {
	const user = await db.query('SELECT id, quota_used, quota_limit, locale, theme FROM user WHERE id = ?', [userId]);
	const chats = await db.query(
		'SELECT id, prompt_slug, title, system_prompt, updated_at FROM chat WHERE user_id = ? ORDER BY id',
		[userId]
	);
	const messages = await db.query(
		'SELECT id, chat_id, role, content, status FROM message WHERE user_id = ? ORDER BY id',
		[userId]
	);
	return JSON.parse(JSON.stringify({ user, chats, messages }));
}

async function count(db: TestDatabase, table: 'user' | 'chat' | 'message' | 'session') {
	const [{ n }] = await db.query(`SELECT COUNT(*) n FROM \`${table}\``);
	return Number(n);
}

async function seedMessages(db: TestDatabase, chatId: string, userId: string, n: number) {
	const rows = Array.from({ length: n }, (_, i) => [
		chatId,
		userId,
		i % 2 === 0 ? 'user' : 'assistant',
		`line ${i + 1}`,
		'complete'
	]);
	await db.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);
}

/** Starts a blank chat through the Discover form and returns its id. */
async function blankChat(v: Visitor) {
	const res = await submit(v, '/discover?/start', { prompt: '' });
	expect(res.status).toBe(303);
	return res.location!.replace('/chat/', '');
}

describe('server-rendered pages without JavaScript', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;
	let aliceId: string;

	beforeAll(async () => {
		app = await startApp(ENV);
		alice = await Visitor.arrive(app.url);
		bob = await Visitor.arrive(app.url);
		aliceId = await userIdOf(alice);
	});
	afterAll(() => app?.close());

	it('loads every route’s code after the first page, so the next page does not wait for it', async () => {
		// Visitor.arrive opened a page: the warm-up that follows loads each route module once.
		const routeFiles = fs
			.readdirSync('src/routes', { recursive: true, encoding: 'utf8' })
			.filter((f) => /(^|\/)\+[^/]*\.(svelte|ts)$/.test(f));
		expect(routeFiles.length).toBeGreaterThan(10);
		const deadline = Date.now() + 20_000;
		while (!app.logs().includes('route code loaded ahead') && Date.now() < deadline) await sleep(100);
		const line = app
			.logs()
			.split('\n')
			.find((l) => l.includes('route code loaded ahead'));
		expect(line, 'the warm-up says when it has loaded the routes').toBeDefined();
		expect(JSON.parse(line!).modules).toBe(routeFiles.length);
		expect(app.logs()).not.toContain('could not load a route ahead');
	});

	describe('/ (chats)', () => {
		it('lists the sample chats newest first, each with its title, last-message preview and time', async () => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			const { status, body } = await page(v, '/');
			expect(status).toBe(200);
			const shown = chatList(body);
			const rows = await app.db.query('SELECT id, title FROM chat WHERE user_id = ? ORDER BY updated_at DESC', [id]);
			expect(rows).toHaveLength(4);
			expect(shown.map((c) => c.id)).toEqual(rows.map((r: any) => r.id));
			expect(shown.map((c) => c.title)).toEqual(rows.map((r: any) => r.title));
			const times = shown.map((c) => Date.parse(c.datetime));
			expect(times).toEqual([...times].sort((a, b) => b - a));
			for (const c of shown) {
				expect(c.ago).toMatch(/ago|now/);
				const [last] = await app.db.query('SELECT content FROM message WHERE chat_id = ? ORDER BY id DESC LIMIT 1', [
					c.id
				]);
				expect(c.preview.length).toBeGreaterThan(20);
				// The preview is the reply as plain text: markdown markers dropped.
				expect(plainText(last.content).startsWith(c.preview)).toBe(true);
			}
		});

		it('marks every page as one person’s: never kept by a shared cache, and tagged with whom it was made for', async () => {
			const tags = new Set<string>();
			for (const v of [alice, bob]) {
				for (const path of ['/', '/discover', '/me']) {
					const res = await v.fetch(path, { headers: { accept: 'text/html' } });
					expect(res.status).toBe(200);
					expect(res.headers.get('cache-control')).toBe('private, no-cache');
					tags.add(`${v === alice ? 'a' : 'b'}:${res.headers.get('x-oreai-identity')}`);
					await res.body?.cancel();
				}
			}
			// One tag per person, different people different tags, and no user id in it.
			const byPerson = [...tags].map((t) => t.split(':'));
			expect(byPerson.filter(([who]) => who === 'a')).toHaveLength(1);
			expect(byPerson.filter(([who]) => who === 'b')).toHaveLength(1);
			expect(byPerson[0][1]).not.toBe(byPerson[1][1]);
			expect(byPerson[0][1]).toMatch(/^[\w-]{16}$/);
			expect(byPerson.map(([, tag]) => tag)).not.toContain(aliceId);
		});

		it('searches titles and message text through a plain GET form', async () => {
			const home = await page(alice, '/');
			expect(home.body).toMatch(/<form method="GET" action="\/"[^>]*role="search"/);
			expect(home.body).toMatch(/<input id="q" name="q" type="search"/);

			const byTitle = await page(alice, '/?q=kyoto');
			expect(byTitle.status).toBe(200);
			expect(chatList(byTitle.body).map((c) => c.title)).toEqual(['A relaxed weekend in Kyoto']);
			expect(byTitle.body).toContain('value="kyoto"');

			// "ICOCA" appears only inside the Kyoto chat's messages.
			const byText = await page(alice, '/?q=ICOCA');
			expect(chatList(byText.body).map((c) => c.title)).toEqual(['A relaxed weekend in Kyoto']);

			const none = await page(alice, '/?q=nothing-like-this-anywhere');
			expect(none.status).toBe(200);
			expect(chatList(none.body)).toEqual([]);
			expect(none.body).toContain('No chats match your search.');
		});

		it('shows a search for markup as text, never as markup', async () => {
			const { status, body } = await page(alice, '/?q=' + encodeURIComponent('"><script>alert(1)</script>'));
			expect(status).toBe(200);
			expect(body).not.toContain('<script>alert(1)</script>');
			expect(mainOf(body)).toContain('value="&quot;>&lt;script>alert(1)&lt;/script>"');
		});
	});

	describe('/discover', () => {
		it('shows every prompt under its category heading, each with a start form', async () => {
			const { status, body } = await page(alice, '/discover');
			expect(status).toBe(200);
			const prompts = await app.db.query("SELECT slug, category, title FROM prompt WHERE locale = 'en' ORDER BY sort");
			const sections = mainOf(body).split('<section aria-labelledby="cat-').slice(1);
			expect(sections.length).toBeGreaterThanOrEqual(4);
			const seen: string[] = [];
			for (const section of sections) {
				const category = section.slice(0, section.indexOf('"'));
				expect(section).toMatch(new RegExp(`<h2 id="cat-${category}"[^>]*>[^<]+</h2>`));
				const slugs = [...section.matchAll(/<input type="hidden" name="prompt" value="([^"]+)"/g)].map((m) => m[1]);
				expect(slugs).toEqual(prompts.filter((p: any) => p.category === category).map((p: any) => p.slug));
				for (const slug of slugs) expect(decode(section)).toContain(prompts.find((p: any) => p.slug === slug).title);
				seen.push(...slugs);
			}
			expect(seen.sort()).toEqual(prompts.map((p: any) => p.slug).sort());
			expect(seen.length).toBeGreaterThanOrEqual(12);
			expect((mainOf(body).match(/<form method="POST" action="\?\/start"/g) ?? []).length).toBe(seen.length + 1);
			expect(mainOf(body)).toMatch(/<h2 id="cat-writing"[^>]*>Writing<\/h2>/);
			expect(mainOf(body)).toMatch(/<h2 id="cat-coding"[^>]*>Coding<\/h2>/);
		});

		it('starts a chat from a prompt with a form POST: 303 to the chat, whose composer holds the opening message', async () => {
			const [p] = await app.db.query("SELECT * FROM prompt WHERE slug = 'coding-debug' AND locale = 'en'");
			const res = await submit(alice, '/discover?/start', { prompt: 'coding-debug' });
			expect(res.status).toBe(303);
			expect(res.location).toMatch(/^\/chat\/[0-9a-z]+$/);
			const id = res.location!.slice('/chat/'.length);
			const [row] = await app.db.query('SELECT user_id, prompt_slug, title, system_prompt FROM chat WHERE id = ?', [
				id
			]);
			expect(row).toEqual({
				user_id: aliceId,
				prompt_slug: 'coding-debug',
				title: p.title,
				system_prompt: p.system_prompt
			});

			const chat = await page(alice, res.location!);
			expect(chat.status).toBe(200);
			const composer = chat.body.match(/<textarea id="content" name="content"[^>]*>([\s\S]*?)<\/textarea>/);
			expect(composer).not.toBeNull();
			expect(decode(composer![1])).toBe(p.opening_message);
			expect(messagesOf(chat.body).items).toEqual([]);
			expect(mainOf(chat.body)).toContain('No messages yet. Say hello!');
		});

		it('starts a blank chat when no prompt is chosen', async () => {
			const id = await blankChat(alice);
			const [row] = await app.db.query(
				'SELECT prompt_slug, title, system_prompt FROM chat WHERE id = ? AND user_id = ?',
				[id, aliceId]
			);
			expect(row).toEqual({ prompt_slug: null, title: '', system_prompt: '' });
			const chat = await page(alice, `/chat/${id}`);
			expect(chat.body).toMatch(/<textarea id="content" name="content"[^>]*><\/textarea>/);
		});

		it('answers an unknown prompt with a 404 page and creates no chat', async () => {
			const before = await count(app.db, 'chat');
			const res = await submit(alice, '/discover?/start', { prompt: 'no-such-prompt' });
			expect(res.status).toBe(404);
			expect(res.body).toContain('Not found');
			expect(await count(app.db, 'chat')).toBe(before);
		});

		it('refuses a cross-site form POST and creates no chat', async () => {
			const before = await count(app.db, 'chat');
			const res = await submit(
				alice,
				'/discover?/start',
				{ prompt: 'coding-debug' },
				{ origin: 'https://evil.example' }
			);
			expect(res.status).toBe(403);
			expect(await count(app.db, 'chat')).toBe(before);
		});
	});

	describe('/chat/[id]', () => {
		it('renders the whole history on the server, with assistant markdown as HTML', async () => {
			const [chat] = await app.db.query(
				"SELECT id FROM chat WHERE user_id = ? AND title = 'A relaxed weekend in Kyoto'",
				[aliceId]
			);
			const rows = await app.db.query('SELECT id, role, content FROM message WHERE chat_id = ? ORDER BY id', [chat.id]);
			const { status, body } = await page(alice, `/chat/${chat.id}`);
			expect(status).toBe(200);
			const { region, items } = messagesOf(body);
			expect(items.map((m) => m.id)).toEqual(rows.map((r: any) => Number(r.id)));
			expect(items.map((m) => m.role)).toEqual(rows.map((r: any) => r.role));
			expect(items.every((m) => m.status === 'complete')).toBe(true);
			// Markdown became HTML: bold text and numbered lists, no raw asterisks.
			expect(region).toContain('<strong>Day 1 — Eastern Kyoto (Higashiyama)</strong>');
			expect(region).toMatch(/<ol>\s*<li><strong>8:00 — Fushimi Inari Taisha\.<\/strong>/);
			expect(region).not.toContain('**Day 1');
			// The user's own words are shown as written.
			expect(decode(region)).toContain(rows[0].content);
			expect(mainOf(body)).not.toContain('data-testid="older"');
		});

		it('shows markup typed into messages as text and strips anything that could run from replies', async () => {
			const id = await blankChat(alice);
			await app.db.query(
				"INSERT INTO message (chat_id, user_id, role, content, status) VALUES (?, ?, 'user', ?, 'complete'), (?, ?, 'assistant', ?, 'complete')",
				[
					id,
					aliceId,
					'<b>bold?</b> <img src=x onerror=alert(1)>',
					id,
					aliceId,
					'Safe **text**\n\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[click](javascript:alert(3))'
				]
			);
			const { region } = messagesOf((await page(alice, `/chat/${id}`)).body);
			expect(region).toContain('&lt;b>bold?&lt;/b> &lt;img src=x onerror=alert(1)>');
			expect(region).toContain('<strong>text</strong>');
			expect(region).not.toMatch(/<script/i);
			expect(region).not.toMatch(/<img[^>]*onerror/i);
			expect(region).not.toMatch(/href="javascript:/i);
		});

		it('shows 50 of 120 messages with a "Show older messages" link that pages back to the first', async () => {
			const id = await blankChat(alice);
			await seedMessages(app.db, id, aliceId, 120);
			const ids = (await app.db.query('SELECT id FROM message WHERE chat_id = ? ORDER BY id', [id])).map((r: any) =>
				Number(r.id)
			);

			const pages: number[][] = [];
			let path = `/chat/${id}`;
			for (let i = 0; i < 5; i++) {
				const { status, body } = await page(alice, path);
				expect(status).toBe(200);
				const shown = messagesOf(body).items.map((m) => m.id);
				pages.push(shown);
				const older = mainOf(body).match(/<a href="\?before=(\d+)"[^>]*data-testid="older">([^<]+)<\/a>/);
				if (i > 0) expect(mainOf(body)).toContain(`<a href="/chat/${id}"`); // back to the newest
				if (!older) break;
				expect(older[2]).toBe('Show older messages');
				expect(Number(older[1])).toBe(shown[0]);
				path = `/chat/${id}?before=${older[1]}`;
			}
			expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
			expect(pages[0]).toEqual(ids.slice(70));
			expect(pages.reverse().flat()).toEqual(ids);
			const last = await page(alice, `/chat/${id}?before=${ids[20]}`);
			expect(decode(messagesOf(last.body).region)).toContain('line 1<');
		});

		it('renames a chat with a form POST and shows the new title', async () => {
			const id = await blankChat(alice);
			const res = await submit(alice, `/chat/${id}?/rename`, { title: '  Renamed without JS  ' });
			// POST → 303 → GET: the address never keeps `?/rename`.
			expect(res.status).toBe(303);
			expect(res.location).toBe(`/chat/${id}#latest`);
			expect(await app.db.query('SELECT title FROM chat WHERE id = ?', [id])).toEqual([
				{ title: 'Renamed without JS' }
			]);
			const again = await page(alice, `/chat/${id}`);
			expect(again.body).toMatch(/<h1[^>]*>Renamed without JS<\/h1>/);
		});

		it('refuses an empty or over-long title with 400 and keeps the old one', async () => {
			const id = await blankChat(alice);
			await submit(alice, `/chat/${id}?/rename`, { title: 'Keep me' });
			for (const title of ['', '   ', 'x'.repeat(201)]) {
				const res = await submit(alice, `/chat/${id}?/rename`, { title });
				expect(res.status).toBe(400);
			}
			expect((await submit(alice, `/chat/${id}?/rename`, {})).status).toBe(400);
			expect(await app.db.query('SELECT title FROM chat WHERE id = ?', [id])).toEqual([{ title: 'Keep me' }]);
		});

		it('clears a chat with a form POST, keeping the chat', async () => {
			const id = await blankChat(alice);
			await seedMessages(app.db, id, aliceId, 4);
			const res = await submit(alice, `/chat/${id}?/clear`, {});
			expect(res.status).toBe(303);
			expect(res.location).toBe(`/chat/${id}#latest`);
			expect(await app.db.query('SELECT id FROM message WHERE chat_id = ?', [id])).toEqual([]);
			expect(await app.db.query('SELECT id FROM chat WHERE id = ?', [id])).toEqual([{ id }]);
			const after = await page(alice, `/chat/${id}`);
			expect(messagesOf(after.body).items).toEqual([]);
		});

		it('deletes a chat with a form POST and redirects to the list, where it is gone', async () => {
			const id = await blankChat(alice);
			await seedMessages(app.db, id, aliceId, 2);
			const res = await submit(alice, `/chat/${id}?/delete`, {});
			expect(res.status).toBe(303);
			expect(res.location).toBe('/');
			expect(await app.db.query('SELECT id FROM chat WHERE id = ?', [id])).toEqual([]);
			expect(await app.db.query('SELECT id FROM message WHERE chat_id = ?', [id])).toEqual([]);
			expect(chatList((await page(alice, '/')).body).map((c) => c.id)).not.toContain(id);
			expect((await page(alice, `/chat/${id}`)).status).toBe(404);
		});

		it('sends a message with a form POST, redirects at once to the newest message and shows the reply', async () => {
			const id = await blankChat(alice);
			const res = await submit(alice, `/chat/${id}?/send`, {
				content: '[[mock:{"tokens":4,"ttftMs":0,"delayMs":0}]] hello there'
			});
			expect(res.status).toBe(303);
			expect(res.location).toBe(`/chat/${id}#latest`);
			// The page that refreshes itself while the reply streams ends up showing it complete.
			let body = '';
			for (let i = 0; i < 50; i++) {
				body = (await page(alice, `/chat/${id}`)).body;
				if (!body.includes('http-equiv="refresh"')) break;
				await new Promise((r) => setTimeout(r, 100));
			}
			expect(body).toContain('id="latest"');
			const { items } = messagesOf(body);
			expect(items.map((m) => [m.role, m.status])).toEqual([
				['user', 'complete'],
				['assistant', 'complete']
			]);
			const [reply] = await app.db.query("SELECT content FROM message WHERE chat_id = ? AND role = 'assistant'", [id]);
			expect(reply.content.length).toBeGreaterThan(0);
		});

		describe("another visitor's chat", () => {
			let chatId: string;
			let before: any;
			beforeAll(async () => {
				chatId = await blankChat(alice);
				await submit(alice, `/chat/${chatId}?/rename`, { title: 'Alice secret diary' });
				await seedMessages(app.db, chatId, aliceId, 3);
				before = await snapshot(app.db, aliceId);
			});

			it('answers its page with 404 and never shows its content', async () => {
				for (const path of [`/chat/${chatId}`, `/chat/${chatId}?before=999999`]) {
					const res = await page(bob, path);
					expect(res.status).toBe(404);
					expect(res.body).toContain('Not found');
					expect(res.body).not.toContain('Alice secret diary');
					expect(res.body).not.toContain('line 1');
				}
			});

			it.each([
				['rename', { title: 'Hijacked' }],
				['clear', {}],
				['delete', {}],
				['send', { content: 'hello from bob' }],
				['send', { regenerate: '1' }],
				['version', { message: '1' }],
				['deleteMessage', { message: '1' }],
				['edit', { message: '1', content: 'hijacked' }]
			])('answers the %s action with 404 and changes nothing', async (action, fields) => {
				const bobBefore = await snapshot(app.db, await userIdOf(bob));
				const res = await submit(bob, `/chat/${chatId}?/${action}`, fields as Record<string, string>);
				expect(res.status).toBe(404);
				expect(await snapshot(app.db, aliceId)).toEqual(before);
				expect(await snapshot(app.db, await userIdOf(bob))).toEqual(bobBefore);
			});

			it('refuses a cross-site delete of the owner’s chat', async () => {
				const res = await submit(alice, `/chat/${chatId}?/delete`, {}, { origin: 'https://evil.example' });
				expect(res.status).toBe(403);
				expect(await snapshot(app.db, aliceId)).toEqual(before);
			});
		});

		it('shows the newest page for a malformed ?before= value, never a 500', async () => {
			const [chat] = await app.db.query('SELECT id FROM chat WHERE user_id = ? LIMIT 1', [aliceId]);
			const newest = await page(alice, `/chat/${chat.id}`);
			for (const before of ['abc', '-1', '1.5', '1e30', '99999999999999999999']) {
				const res = await page(alice, `/chat/${chat.id}?before=${before}`);
				expect(res.status, before).toBe(200);
				expect(res.body).not.toMatch(/at .*\.js:\d+/);
				expect(res.body.match(/data-role="\w+"/g), before).toEqual(newest.body.match(/data-role="\w+"/g));
			}
		});

		it.each([
			'/chat/doesnotexist00000',
			'/chat/UPPERCASE',
			'/chat/' + 'a'.repeat(30),
			'/chat/a%20b',
			'/chat/x.y',
			'/chat/%F0%9F%98%80',
			"/chat/1'%20OR%20'1'='1",
			'/chat/%00'
		])('answers %s with a 404 page, not a 500', async (path) => {
			const res = await page(alice, path);
			expect(res.status).toBe(404);
			expect(res.body).toContain('Not found');
			expect(res.body).toMatch(/<html lang="en"/);
		});
	});

	describe('/me', () => {
		it('shows the replies used and left', async () => {
			const v = await Visitor.arrive(app.url);
			const first = await page(v, '/me');
			expect(first.status).toBe(200);
			expect(first.body).toMatch(/<p data-testid="quota">0 of 40 replies used · 40 left<\/p>/);
			await app.db.query('UPDATE user SET quota_used = 7 WHERE id = ?', [await userIdOf(v)]);
			const later = await page(v, '/me');
			expect(later.body).toMatch(/<p data-testid="quota">7 of 40 replies used · 33 left<\/p>/);
			expect(later.body).toMatch(/role="progressbar"[^>]*aria-valuemax="40" aria-valuenow="7"/);
		});

		it.each([
			[{ locale: 'fr', theme: 'dark' }],
			[{ locale: 'zh-cn', theme: 'dark' }],
			[{ locale: 'en', theme: 'neon' }],
			[{ locale: 'en' }],
			[{ theme: 'dark' }],
			[{}]
		])('refuses settings %j with 400 and changes nothing', async (fields) => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			const before = await snapshot(app.db, id);
			const res = await submit(v, '/me?/settings', fields as Record<string, string>);
			expect(res.status).toBe(400);
			expect(res.body).toContain('That request was not valid.');
			expect(await snapshot(app.db, id)).toEqual(before);
			expect(htmlTag((await page(v, '/')).body)).toBe('<html lang="en" class="system">');
		});

		it('saves language and theme, and every later page renders with them', async () => {
			const v = await Visitor.arrive(app.url);
			const id = await userIdOf(v);
			const res = await submit(v, '/me?/settings', { locale: 'zh-CN', theme: 'dark' });
			// POST → 303 → GET: the address bar never keeps `?/settings`.
			expect(res.status).toBe(303);
			expect(res.location).toBe('/me');
			const after = await page(v, '/me');
			expect(htmlTag(after.body)).toBe('<html lang="zh-CN" class="dark">');
			expect(after.body).toContain('role="status"');
			expect(await app.db.query('SELECT locale, theme FROM user WHERE id = ?', [id])).toEqual([
				{ locale: 'zh-CN', theme: 'dark' }
			]);

			const home = await page(v, '/', { 'accept-language': 'en-US,en;q=0.9' });
			expect(htmlTag(home.body)).toBe('<html lang="zh-CN" class="dark">');
			expect(bottomNav(home.body).map((l) => l.label)).not.toEqual(['Chats', 'Discover', 'Me']);

			// Back to automatic: the language follows the browser again.
			expect((await submit(v, '/me?/settings', { locale: 'auto', theme: 'light' })).status).toBe(303);
			expect(await app.db.query('SELECT locale, theme FROM user WHERE id = ?', [id])).toEqual([
				{ locale: null, theme: 'light' }
			]);
			expect(htmlTag((await page(v, '/me', { 'accept-language': 'zh-CN' })).body)).toBe(
				'<html lang="zh-CN" class="light">'
			);
			const en = await page(v, '/me', { 'accept-language': 'en' });
			expect(htmlTag(en.body)).toBe('<html lang="en" class="light">');
			expect(en.body).toMatch(/<input type="radio" name="locale" value="auto" checked/);
			expect(en.body).toMatch(/<input type="radio" name="theme" value="light" checked/);
		});
	});

	it.each([
		['/', 'Chats'],
		['/discover', 'Discover'],
		['/me', 'Me']
	])('%s has the bottom navigation with Chats, Discover and Me, marking %s as current', async (path, current) => {
		const { status, body } = await page(alice, path);
		expect(status).toBe(200);
		const links = bottomNav(body);
		expect(links.map((l) => [l.href, l.label])).toEqual([
			['/', 'Chats'],
			['/discover', 'Discover'],
			['/me', 'Me']
		]);
		expect(links.filter((l) => l.current).map((l) => l.label)).toEqual([current]);
	});
});

describe('visitors who never come back with their cookie', () => {
	let app: RunningApp;
	const env = { UNCLAIMED_USER_TTL_SECONDS: '1' };
	beforeAll(async () => {
		app = await startApp(env);
	});
	afterAll(() => app?.close());

	it('are removed when the app starts after UNCLAIMED_USER_TTL_SECONDS, while a visitor who came back stays', async () => {
		const visitors: Visitor[] = [];
		for (let i = 0; i < 6; i++) {
			const v = new Visitor(app.url);
			const res = await v.fetch('/'); // no cookie yet: a new user each time
			expect(res.status).toBe(200);
			await res.text();
			expect(v.cookie).toMatch(/^oreai_session=/);
			visitors.push(v);
		}
		expect(await count(app.db, 'user')).toBe(6);
		expect(await count(app.db, 'chat')).toBe(24);

		const keeper = visitors[2];
		expect((await page(keeper, '/')).status).toBe(200); // came back: claimed
		const keeperId = await userIdOf(keeper);
		const claimed = await app.db.query('SELECT id FROM user WHERE last_seen_at IS NOT NULL');
		expect(claimed).toEqual([{ id: keeperId }]);

		await new Promise((r) => setTimeout(r, 1500));
		const db = app.db;
		await app.stop();
		app = await startApp(env, db);

		expect(await db.query('SELECT id FROM user')).toEqual([{ id: keeperId }]);
		expect(await db.query('SELECT DISTINCT user_id FROM chat')).toEqual([{ user_id: keeperId }]);
		expect(await db.query('SELECT DISTINCT user_id FROM message')).toEqual([{ user_id: keeperId }]);
		expect(await db.query('SELECT DISTINCT user_id FROM session')).toEqual([{ user_id: keeperId }]);
		expect(await count(app.db, 'chat')).toBe(4);

		// The one who kept the cookie is still signed in, with their chats.
		const back = Object.assign(new Visitor(app.url), { cookie: keeper.cookie });
		expect(await userIdOf(back)).toBe(keeperId);
		expect(chatList((await page(back, '/')).body)).toHaveLength(4);
		// And a swept visitor's cookie simply starts over as someone new.
		const gone = Object.assign(new Visitor(app.url), { cookie: visitors[0].cookie });
		expect((await page(gone, '/')).status).toBe(200);
		expect(await userIdOf(gone)).not.toBe(keeperId);
	});
});
