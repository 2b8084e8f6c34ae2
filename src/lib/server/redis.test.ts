import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { clientOptions } from './redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('the shared Redis client', () => {
	const client = new Redis(REDIS_URL, clientOptions);
	const prefix = `oreai-test-${randomBytes(4).toString('hex')}`;
	afterAll(async () => {
		const keys = await client.keys(prefix + '*');
		if (keys.length) await client.del(...keys);
		client.disconnect();
	});

	it('lets a rate limiter created while a pipeline is open count, without a crash outside any promise', async () => {
		await client.ping();
		const uncaught: unknown[] = [];
		const onUncaught = (e: unknown) => uncaught.push(e);
		process.on('uncaughtException', onUncaught);
		try {
			// Commands queued in this tick open an automatic pipeline; the limiter defines its
			// script command on the client just after, and counts in the same tick.
			const before = client.get(`${prefix}:a`);
			const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: prefix, points: 5, duration: 60 });
			const counted = limiter.consume('visitor');
			const after = client.get(`${prefix}:b`);
			const [, res] = await Promise.all([before, counted, after]);
			expect(res.consumedPoints).toBe(1);
			expect((await limiter.consume('visitor')).consumedPoints).toBe(2);
			await new Promise((r) => setTimeout(r, 100));
			expect(uncaught).toEqual([]);
		} finally {
			process.off('uncaughtException', onUncaught);
		}
	});
});
