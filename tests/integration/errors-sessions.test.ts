import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../../tools/mock-upstream/server.js';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

// Sessions are extended by any request, and nothing internal (SQL, parameters, stacks, session
// tokens) reaches a response or a log line: a person gets a short error id, the log one line
// with that id.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

describe('sessions extended by the API too', () => {
	let mock: Mock;
	let app: RunningApp;
	beforeAll(async () => {
		mock = await startMockServer({ tokens: 3 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'k', OPENAI_MODEL: 'mock-small' });
	}, 60_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	async function agedVisitor() {
		const v = await Visitor.arrive(app.url);
		const id = v.cookie.split('=')[1];
		await app.db.query('UPDATE session SET expires_at = UTC_TIMESTAMP() + INTERVAL 2 DAY WHERE id = ?', [id]);
		return { v, id };
	}
	async function daysLeft(id: string) {
		const [row] = await app.db.query<{ days: number }>(
			'SELECT TIMESTAMPDIFF(DAY, UTC_TIMESTAMP(), expires_at) days FROM session WHERE id = ?',
			[id]
		);
		return Number(row.days);
	}
	const freshCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('oreai_session='));

	it('sends the refreshed cookie with a tRPC query, a tRPC mutation and a streamed send', async () => {
		const q = await agedVisitor();
		const query = await q.v.fetch('/api/trpc/me.get');
		await query.text();
		expect(freshCookie(query)).toMatch(/Max-Age=2592000/);
		expect(await daysLeft(q.id)).toBeGreaterThanOrEqual(29);

		const m = await agedVisitor();
		const mutation = await m.v.fetch('/api/trpc/chats.create', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}'
		});
		await mutation.text();
		expect(freshCookie(mutation)).toMatch(/Max-Age=2592000/);

		const s = await agedVisitor();
		const [chatId] = await s.v.chatIds();
		// chatIds() above was itself a request: age the session again before the send.
		await app.db.query('UPDATE session SET expires_at = UTC_TIMESTAMP() + INTERVAL 2 DAY WHERE id = ?', [s.id]);
		const send = await s.v.send(chatId, { content: 'hello' });
		expect(freshCookie(send)).toMatch(/Max-Age=2592000/);
		await readSse(send);
		expect(await daysLeft(s.id)).toBeGreaterThanOrEqual(29);
	});
});

describe('a database error', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp();
	}, 60_000);
	afterAll(() => app?.close());

	it('shows an error id and nothing internal, and logs one line with that id', async () => {
		const v = await Visitor.arrive(app.url);
		const token = v.cookie.split('=')[1];
		// Break the app's own database under it: every prompt query now fails in MySQL.
		await app.db.query('DROP TABLE prompt');

		const page = await v.fetch('/discover', { headers: { accept: 'text/html' } });
		const html = await page.text();
		expect(page.status).toBe(500);
		const pageId = /data-testid="error-id">([0-9a-f]{10})</.exec(html)?.[1];
		expect(pageId).toBeDefined();

		const rpc = await v.fetch('/api/trpc/prompts.list');
		const body = await rpc.text();
		expect(rpc.status).toBe(500);
		const rpcId = /error id ([0-9a-f]{10})/.exec(body)?.[1];
		expect(rpcId).toBeDefined();

		for (const text of [html, body]) {
			expect(text).not.toMatch(/select|from `?prompt`?|ER_NO_SUCH_TABLE|doesn't exist|\bat .*\.js:\d+/i);
			expect(text).not.toContain(token);
		}

		// The log has one structured line per failure, with its id, and nothing internal either.
		await new Promise((r) => setTimeout(r, 200));
		const lines = app
			.logs()
			.split('\n')
			.filter((l) => l.startsWith('{'))
			.map((l) => JSON.parse(l) as Record<string, unknown>);
		for (const id of [pageId, rpcId]) {
			const matching = lines.filter((l) => l.errorId === id);
			expect(matching, id).toHaveLength(1);
			expect(matching[0].level).toBe(50);
		}
		const logText = app.logs();
		expect(logText).not.toMatch(/select|`prompt`|doesn't exist/i);
		expect(logText).not.toContain(token);
	});
});
