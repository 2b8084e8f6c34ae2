import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '#mock-upstream/server';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, textOf, Visitor } from '../helpers/visitor';

// Clients that never read: 200 followers of one long reply open the stream and then read
// nothing. The server must not keep a copy of the reply queued per follower.

type Mock = Awaited<ReturnType<typeof startMockServer>>;

const FOLLOWERS = 200;
/** 8 MB of reply in 20 KB words: more than the kernel buffers of a stalled socket hold, so unread copies would show in the RSS. */
const WORD = 'w'.repeat(20_000);
const WORDS = 400;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Opens the reply stream over a raw socket, then stops reading (the kernel buffers fill up). */
function stalledFollower(app: RunningApp, path: string, cookie: string) {
	const { port } = new URL(app.url);
	const socket = connect(Number(port), '127.0.0.1');
	socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
	socket.pause();
	return socket;
}

/** Resumes a stalled follower and reads its whole answer (headers, then chunked SSE). */
function readRest(socket: Socket): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		socket.on('data', (d: Buffer) => chunks.push(d));
		socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		socket.on('error', reject);
		socket.resume();
	});
}

/** The SSE events in a raw chunked HTTP/1.1 answer. */
function eventsOf(raw: string) {
	const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
	let out = '';
	for (let at = 0; ;) {
		const eol = body.indexOf('\r\n', at);
		const size = parseInt(body.slice(at, eol), 16);
		if (!size) break;
		out += body.slice(eol + 2, eol + 2 + size);
		at = eol + 2 + size + 2;
	}
	return out
		.trim()
		.split('\n\n')
		.map((block) => {
			const [ev, data] = block.split('\n');
			return { event: ev.slice('event: '.length), data: JSON.parse(data.slice('data: '.length)) };
		});
}

describe('backpressure', () => {
	let mock: Mock;
	let app: RunningApp;
	let v: Visitor;

	beforeAll(async () => {
		mock = await startMockServer({ reply: Array(WORDS).fill(WORD).join(' '), delayMs: 10 });
		app = await startApp({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: 'test-key', OPENAI_MODEL: 'mock-small' });
		v = await Visitor.arrive(app.url);
	}, 40_000);
	afterAll(async () => {
		await app?.close();
		await mock?.close();
	});

	/** Sends for an 8 MB reply; opens `followers` stalled ones; returns the RSS growth meanwhile. */
	async function longReply(followers: number) {
		// A chat of its own: an 8 MB reply in the history would make the next request huge.
		const chatId = (await v.mutate('chats.create', {})).body.result.data.id as string;
		const pid = app.proc.pid!;
		const before = rssMb(pid);
		const res = await v.send(chatId, { content: 'a very long answer please' });
		expect(res.status).toBe(200);
		const reader = res.body!.getReader();
		const decoder = new TextDecoder();
		let sent = decoder.decode((await reader.read()).value, { stream: true });
		const id = /"assistantMessageId":"(\d+)"/.exec(sent)![1];
		const sockets = Array.from({ length: followers }, () =>
			stalledFollower(app, `/api/chats/${chatId}/messages/${id}/stream`, v.cookie)
		);
		let peak = before;
		const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
		// The sender reads its own stream to the end meanwhile.
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			sent += decoder.decode(value, { stream: true });
		}
		await new Promise((r) => setTimeout(r, 500));
		clearInterval(sampler);
		peak = Math.max(peak, rssMb(pid));
		expect(sent).toContain('event: done');
		const [row] = await app.db.query<{ content: string; status: string }>(
			'SELECT content, status FROM message WHERE id = ?',
			[id]
		);
		expect(row.status).toBe('complete');
		expect(row.content.length).toBe(WORDS * (WORD.length + 1) - 1);
		return { growth: peak - before, sockets, content: row.content, chatId };
	}

	it(`keeps memory bounded while ${FOLLOWERS} followers of an 8 MB reply read nothing, and catches one up in full`, async () => {
		// The same reply without followers: what the reply itself costs (parsing, storing, GC lag).
		const alone = await longReply(0);
		const followed = await longReply(FOLLOWERS);
		const extra = followed.growth - alone.growth;
		console.log(
			`backpressure: RSS growth ${alone.growth.toFixed(0)} MB alone, ${followed.growth.toFixed(0)} MB with ${FOLLOWERS} stalled followers (+${extra.toFixed(0)} MB)`
		);
		// Unbounded queues hold what the kernel cannot (the old encoder: +827 MB here); bounded ones 200 × 64 KB
		// plus garbage the collector has not reached yet, which grows when the machine is busy (157 MB seen).
		expect(extra).toBeLessThan(300);

		// A follower that starts reading late gets the whole reply, in order, and one done.
		const events = eventsOf(await readRest(followed.sockets[0]));
		expect(events.at(-1)!.event).toBe('done');
		expect(events.filter((e) => e.event === 'done')).toHaveLength(1);
		expect(textOf(events as never)).toBe(followed.content);
		for (const s of followed.sockets) s.destroy();

		// The app is still fine.
		const fresh = (await v.mutate('chats.create', {})).body.result.data.id as string;
		const after = await readSse(await v.send(fresh, { content: 'short one [[mock:{"reply":"ok then"}]]' }));
		expect(after.at(-1)!.event).toBe('done');
	}, 120_000);
});
