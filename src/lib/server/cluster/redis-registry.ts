import type { Redis } from 'ioredis';
import { translate } from '$lib/i18n';
import type { Generation, GenerationEnd, GenerationEvent, ReplySource, StopReason } from '../chat/generation';
import { findMessage } from '../chat/messages';
import type { GenerationRegistry } from '../chat/registry';
import { dedicatedConnection, key } from '../redis';
import { workerId } from './worker';

/**
 * The registry for many processes (REDIS_URL set). Each process runs its own generations;
 * Redis holds what they must agree on:
 *
 * - `busy:<chat>`: the "chat busy" lock, SET NX PX with this process's token, renewed with
 *   the lease and deleted only by its holder;
 * - `reply:<message>`: a Redis Stream per reply in flight. The owner appends each batch of
 *   deltas (XADD) and the end; a reader on another process replays it from the start
 *   (XRANGE) and follows with XREAD BLOCK from the last id it saw, so it gets every delta
 *   exactly once, in order. Kept for a minute after the end.
 * - `control`: a channel on which "stop this reply" reaches the process that runs it.
 *
 * Redis Streams over pub/sub for the text: a stream is a log, so a late reader misses
 * nothing and needs no handshake with the owner; over `resumable-stream`: no new package,
 * and the same ioredis client serves locks, limits and leases.
 */

/** Deltas arriving within this window are appended to the stream as one entry. */
const BATCH_MS = 20;
/** A finished reply stays readable this long for readers that arrive late. */
const KEEP_ENDED_SECONDS = 60;
/** A reply stream is dropped after this long whatever happens (a crash mid-reply). */
const KEEP_MAX_SECONDS = 24 * 3600;
/** How long a reader blocks before checking that the owning process is still alive. */
const BLOCK_MS = 1000;
/** A remote stop waits this long for the owner to store the reply. */
const STOP_WAIT_MS = 10_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

type StopRequest = { messageId: number; userId: string; chatId: string; reason: StopReason };

export class RedisRegistry implements GenerationRegistry {
	private generations = new Map<number, Generation>();
	private locks = new Map<string, string>();
	private subscriber: Redis | undefined;
	private nextToken = 0;

	constructor(
		private readonly redis: Redis,
		private readonly leaseMs: number
	) {}

	/** Listens for stop requests from other processes. */
	async start() {
		if (this.subscriber) return void (await this.subscriber.subscribe(key('control')));
		this.subscriber = dedicatedConnection();
		this.subscriber.on('message', (_channel: string, raw: string) => {
			let req: StopRequest;
			try {
				req = JSON.parse(raw);
			} catch {
				return; // not ours to read
			}
			const g = this.generations.get(req.messageId);
			if (g && g.userId === req.userId && g.chatId === req.chatId) g.stop(req.reason);
		});
		await this.subscriber.subscribe(key('control'));
	}

	async close() {
		this.subscriber?.disconnect();
	}

	async claimChat(chatId: string) {
		const token = `${workerId}:${this.nextToken++}`;
		const ok = await this.redis.set(key('busy', chatId), token, 'PX', this.leaseMs, 'NX');
		if (ok !== 'OK') return false;
		this.locks.set(chatId, token);
		return true;
	}

	async releaseChat(chatId: string) {
		const token = this.locks.get(chatId);
		if (!token) return;
		this.locks.delete(chatId);
		await this.redis.eval(RELEASE, 1, key('busy', chatId), token);
	}

	/** Called with the lease: keeps this process's chat locks alive while it lives. */
	async renewLocks() {
		await Promise.all(
			[...this.locks].map(([chatId, token]) => this.redis.eval(RENEW, 1, key('busy', chatId), token, this.leaseMs))
		);
	}

	add(g: Generation) {
		this.generations.set(g.messageId, g);
		publish(this.redis, g);
	}

	remove(g: Generation) {
		if (this.generations.get(g.messageId) === g) this.generations.delete(g.messageId);
	}

	private findLocal(userId: string, chatId: string, messageId: number) {
		const g = this.generations.get(messageId);
		return g && g.userId === userId && g.chatId === chatId ? g : undefined;
	}

	async follow(userId: string, chatId: string, messageId: number): Promise<ReplySource | undefined> {
		const local = this.findLocal(userId, chatId, messageId);
		if (local) return local;
		// The owner check is the database's: a reply of another user reads as missing.
		const row = await findMessage(userId, chatId, messageId, 'assistant');
		if (!row || row.status !== 'streaming') return undefined;
		const reply = new RemoteReply(this.redis, messageId, row.workerId);
		await reply.open();
		return reply;
	}

	async stop(userId: string, chatId: string, messageId: number, reason: StopReason) {
		const local = this.findLocal(userId, chatId, messageId);
		if (local) {
			local.stop(reason);
			await local.finished;
			return true;
		}
		const row = await findMessage(userId, chatId, messageId, 'assistant');
		if (!row || row.status !== 'streaming') return false;
		// Follow first, then ask: the end cannot slip by between the two.
		const reply = new RemoteReply(this.redis, messageId, row.workerId);
		await reply.open();
		const request: StopRequest = { messageId, userId, chatId, reason };
		await this.redis.publish(key('control'), JSON.stringify(request));
		let timer: ReturnType<typeof setTimeout> | undefined;
		await Promise.race([reply.finished, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
		clearTimeout(timer);
		reply.close();
		return true;
	}

	local() {
		return [...this.generations.values()];
	}
}

/** Appends a generation's events to its reply stream, deltas batched, the end last. */
function publish(redis: Redis, g: Generation) {
	const stream = key('reply', g.messageId);
	let pending = '';
	let timer: ReturnType<typeof setTimeout> | undefined;
	const append = (e: GenerationEvent) =>
		redis.xadd(stream, '*', 'e', JSON.stringify(e)).catch((err) => {
			console.error('OreAI: could not share a reply delta through Redis:', err.message);
		});
	const flush = () => {
		clearTimeout(timer);
		timer = undefined;
		if (pending) void append({ type: 'delta', text: pending });
		pending = '';
	};
	// Commands on one connection run in order: the stream exists (with its safety expiry)
	// before the first delta, and the end is always the last entry.
	void redis.xadd(stream, '*', 'e', JSON.stringify({ type: 'start' })).catch(() => {
		/* the deltas' own writes report a Redis failure */
	});
	void redis.expire(stream, KEEP_MAX_SECONDS).catch(() => {
		/* as above */
	});
	g.subscribe((e) => {
		if (e.type === 'delta') {
			pending += e.text;
			timer ??= setTimeout(flush, BATCH_MS);
			return;
		}
		flush();
		void append(e);
		void redis.expire(stream, KEEP_ENDED_SECONDS).catch(() => {
			/* the key's own 24-hour expiry still applies */
		});
	});
}

/**
 * A reply generated by another process, read from its Redis Stream: replayed from the
 * first entry, then followed live until its end, or until its owner's lease has expired.
 */
export class RemoteReply implements ReplySource {
	text = '';
	final: GenerationEnd | null = null;
	get length() {
		return this.text.length;
	}
	slice(from: number, to?: number) {
		return this.text.slice(from, to);
	}
	private lastId = '0';
	private listeners = new Set<(e: GenerationEvent) => void>();
	private conn: Redis | undefined;
	private closed = false;
	private resolveFinished!: () => void;
	readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

	constructor(
		private readonly redis: Redis,
		readonly messageId: number,
		private readonly owner: string | null
	) {}

	/** Reads everything stored so far, then follows the rest in the background. */
	async open() {
		const entries = await this.redis.xrange(key('reply', this.messageId), '-', '+');
		this.take(entries);
		if (!this.final) void this.followLive();
	}

	subscribe(listener: (e: GenerationEvent) => void): () => void {
		if (this.text) listener({ type: 'delta', text: this.text });
		if (this.final) {
			listener(this.final);
			return () => {};
		}
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
			// The last reader has gone: stop reading for nobody.
			if (!this.listeners.size) this.close();
		};
	}

	close() {
		this.closed = true;
		this.conn?.disconnect();
		this.resolveFinished();
	}

	private take(entries: [id: string, fields: string[]][]) {
		for (const [id, fields] of entries) {
			this.lastId = id;
			const raw = fields[fields.indexOf('e') + 1];
			const e = raw ? (JSON.parse(raw) as GenerationEvent | { type: 'start' }) : null;
			// The `start` marker only creates the stream; readers see deltas and the end.
			if (e && e.type !== 'start') this.emit(e);
			if (this.final) return;
		}
	}

	private emit(e: GenerationEvent) {
		if (this.final) return;
		if (e.type === 'delta') this.text += e.text;
		else this.final = e;
		for (const l of this.listeners) l(e);
		if (e.type !== 'delta') {
			this.listeners.clear();
			this.close();
		}
	}

	private async followLive() {
		this.conn = dedicatedConnection();
		const stream = key('reply', this.messageId);
		try {
			while (!this.closed && !this.final) {
				const res = (await this.conn.xread('BLOCK', BLOCK_MS, 'STREAMS', stream, this.lastId)) as
					[string, [string, string[]][]][] | null;
				if (res) this.take(res[0][1]);
				else if (!(await this.ownerAlive())) {
					this.emit({ type: 'error', code: 'interrupted', message: translate('en', 'errors.interrupted') });
				}
			}
		} catch (e) {
			if (!this.closed) {
				console.error('OreAI: lost a reply followed through Redis:', (e as Error).message);
				this.emit({ type: 'error', code: 'interrupted', message: translate('en', 'errors.interrupted') });
			}
		} finally {
			this.conn.disconnect();
		}
	}

	private async ownerAlive() {
		return this.owner !== null && (await this.redis.exists(key('lease', this.owner))) === 1;
	}
}
