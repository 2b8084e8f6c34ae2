import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

const SECRET = 'sk-test-never-in-the-browser-4242';

describe('with a configured upstream', () => {
	let app: RunningApp;
	let mock: Awaited<ReturnType<typeof startMockServer>>;
	let v: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 8 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: SECRET, OPENAI_MODEL: 'mock-small' });
		v = await Visitor.arrive(app.url);
	});
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	async function blankChat() {
		return (await v.mutate('chats.create', {})).body.result.data.id as string;
	}

	it('names a new blank chat by asking the model after the first exchange', async () => {
		const id = await blankChat();
		await readSse(
			await v.send(id, {
				content: 'Tell me about the lighthouses along the coast [[mock:{"reply":"Lighthouses of the Atlantic"}]]'
			})
		);
		await expect
			.poll(async () => (await v.query('chats.get', { id })).body.result.data.chat.title, { timeout: 5000 })
			.toBe('Lighthouses of the Atlantic');
		const titleCall = mock.handler.requests.find((r) => r.body.messages[0]?.content.startsWith('Write a short title'));
		expect(titleCall?.body.stream).toBeFalsy();
		expect(titleCall?.body.messages[1].content).toContain('Tell me about the lighthouses');
		expect(titleCall?.body.max_tokens).toBeLessThanOrEqual(16);
		const me = (await v.query('me.get')).body.result.data;
		expect(me.quotaUsed).toBe(1);
	});

	it('makes no title call when the first message is no longer than a title, which it becomes', async () => {
		const id = await blankChat();
		const before = mock.handler.requests.length;
		await readSse(await v.send(id, { content: '  What is the capital\nof Peru? ' }));
		await new Promise((r) => setTimeout(r, 500));
		const calls = mock.handler.requests.slice(before);
		expect(calls).toHaveLength(1);
		expect(calls[0].body.stream).toBe(true);
		expect((await v.query('chats.get', { id })).body.result.data.chat.title).toBe('What is the capital of Peru?');
	});

	it('asks for a title with only the start of the first message, never the reply', async () => {
		const id = await blankChat();
		const question = `Compare these two drafts ${'and weigh every sentence carefully '.repeat(60)}`;
		const reply = 'A reply that must not be sent again for the title';
		await readSse(await v.send(id, { content: `${question} [[mock:{"reply":"${reply}"}]]` }));
		await expect
			.poll(async () => (await v.query('chats.get', { id })).body.result.data.chat.title, { timeout: 5000 })
			.not.toMatch(/…$/);
		const titleCall = mock.handler.requests.findLast((r) =>
			r.body.messages[0]?.content.startsWith('Write a short title')
		);
		const sent = titleCall?.body.messages[1].content as string;
		expect(sent.startsWith('Compare these two drafts')).toBe(true);
		expect(sent.length).toBeLessThanOrEqual(500);
		expect(titleCall?.body.messages).toHaveLength(2);
		expect(JSON.stringify(titleCall?.body)).not.toContain('must not be sent again');
	});

	it('keeps the first words as the title when the model cannot name the chat', async () => {
		const id = await blankChat();
		// The directive applies to the title call too: it fails, the first words stay.
		await readSse(
			await v.send(id, {
				content: 'Plan a picnic for six people on Sunday afternoon please [[mock:{"fault":"http500"}]]'
			})
		);
		await new Promise((r) => setTimeout(r, 500));
		const title = (await v.query('chats.get', { id })).body.result.data.chat.title;
		expect(title).toBe('Plan a picnic for six people on Sunday…');
	});

	it('never sends the API key to the browser, in pages or scripts', async () => {
		const id = (await v.chatIds())[0];
		const pages = ['/', '/discover', '/me', `/chat/${id}`, '/api/trpc/me.get'];
		const bodies: string[] = [];
		for (const p of pages) bodies.push(await (await v.fetch(p)).text());
		// Every script the app can ever serve to a browser, fetched over HTTP.
		const scripts = readdirSync('build/client/_app/immutable', { recursive: true, encoding: 'utf8' }).filter((f) =>
			f.endsWith('.js')
		);
		expect(scripts.length).toBeGreaterThan(3);
		for (const s of scripts) bodies.push(await (await fetch(`${app.url}/_app/immutable/${s}`)).text());
		for (const b of bodies) expect(b).not.toContain(SECRET);
		expect(mock.handler.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
	});

	it('does not say it is the demo model', async () => {
		const html = (await v.html('/')).body;
		expect(html).not.toContain('data-testid="demo-banner"');
		expect((await v.query('me.get')).body.result.data.demoModel).toBe(false);
	});
});

describe('with no upstream configured', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp();
	});
	afterAll(() => app?.close());

	it('answers with the built-in demo model through the SDK and says so on every page', async () => {
		const v = await Visitor.arrive(app.url);
		for (const p of ['/', '/discover', '/me', `/chat/${(await v.chatIds())[0]}`]) {
			expect((await v.html(p)).body, p).toContain('data-testid="demo-banner"');
		}
		const id = (await v.mutate('chats.create', {})).body.result.data.id;
		const events = await readSse(await v.send(id, { content: 'What can you do?' }));
		expect(events.at(-1)!.event).toBe('done');
		const text = events
			.filter((e) => e.event === 'delta')
			.map((e) => e.data.text)
			.join('');
		expect(text).toMatch(/demo/i);
	});

	it('is installable: a manifest with standalone display, theme colour and maskable icons', async () => {
		const res = await fetch(app.url + '/manifest.webmanifest');
		expect(res.status).toBe(200);
		const manifest = await res.json();
		expect(manifest.display).toBe('standalone');
		expect(manifest.start_url).toBe('/');
		expect(manifest.theme_color).toMatch(/^#/);
		const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
		expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
		expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === 'maskable')).toBe(true);
		for (const icon of manifest.icons) {
			const img = await fetch(app.url + icon.src);
			expect(img.status, icon.src).toBe(200);
			expect(img.headers.get('content-type')).toMatch(/^image\//);
		}
		const html = await (await fetch(app.url + '/')).text();
		expect(html).toContain('rel="manifest"');
		expect(html).toContain('name="theme-color"');
	});
});

describe('with TITLE_MODE=words', () => {
	let app: RunningApp;
	let mock: Awaited<ReturnType<typeof startMockServer>>;

	beforeAll(async () => {
		mock = await startMockServer({ tokens: 8 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test', TITLE_MODE: 'words' });
	});
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	it('makes exactly one upstream call per reply and keeps the first words as the title', async () => {
		const v = await Visitor.arrive(app.url);
		const id = (await v.mutate('chats.create', {})).body.result.data.id as string;
		mock.handler.requests.length = 0;
		await readSse(await v.send(id, { content: 'Plan a picnic for six people on Sunday afternoon please' }));
		await new Promise((r) => setTimeout(r, 500));
		expect(mock.handler.requests).toHaveLength(1);
		expect(mock.handler.requests[0].body.stream).toBe(true);
		expect((await v.query('chats.get', { id })).body.result.data.chat.title).toBe(
			'Plan a picnic for six people on Sunday…'
		);
	});
});
