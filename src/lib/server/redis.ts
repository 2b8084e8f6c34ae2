import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { config } from './config';

/**
 * The shared Redis, or null when REDIS_URL is unset (one process, state in memory).
 * Every key and channel is prefixed with REDIS_PREFIX, written out by `key()`, so several
 * installations or test suites can share one server.
 */
let client: Redis | null | undefined;

export function redis(): Redis | null {
	if (client !== undefined) return client;
	const url = config().REDIS_URL;
	client = url ? connect(url) : null;
	return client;
}

/**
 * Many small writes per live reply: pipelining batches them into few round trips. Except the
 * rate limiter's script command: each limiter defines it on the client when created, and a
 * pipeline opened just before lacks it, which left ioredis answering a pipeline's callbacks
 * with too few results and throwing outside any promise, ending the process (seen at start,
 * under load, as the first visitors arrived on two processes).
 */
export const clientOptions = {
	enableAutoPipelining: true,
	autoPipeliningIgnoredCommands: ['rlflxIncr'],
	maxRetriesPerRequest: 2
};

function connect(url: string) {
	// Loaded only when REDIS_URL is set: a single process never holds the client (~20 MB).
	const { Redis: Client } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
	const r = new Client(url, clientOptions);
	r.on('error', (e) => console.error('OreAI: redis:', e.message));
	return r;
}

/**
 * A connection of its own for a blocking read (XREAD BLOCK) or a subscription, which
 * would hold up every other command on the shared connection.
 */
export function dedicatedConnection(): Redis {
	const r = redis();
	if (!r) throw new Error('OreAI: Redis is not configured');
	const d = r.duplicate({ enableAutoPipelining: false });
	d.on('error', (e) => console.error('OreAI: redis:', e.message));
	return d;
}

export const key = (...parts: (string | number)[]) => config().REDIS_PREFIX + parts.join(':');

export async function closeRedis() {
	const c = client;
	client = null;
	if (!c) return;
	// quit() waits for a reconnect that may never come when Redis is gone.
	if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
	else c.disconnect();
}
