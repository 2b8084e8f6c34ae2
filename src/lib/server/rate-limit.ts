import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { key, redis } from './redis';

/**
 * Every rate limiter comes from here. Without REDIS_URL the counts live in this process;
 * with it they live in Redis, so all processes share one count per key. Should Redis stop
 * answering, an in-memory limiter of the same size stands in (per process) rather than
 * letting everything through or refusing everyone.
 */
export function rateLimiter(opts: { name: string; points: number; duration: number }): RateLimiterAbstract {
	const memory = () => new RateLimiterMemory({ keyPrefix: opts.name, points: opts.points, duration: opts.duration });
	const r = redis();
	if (!r) return memory();
	return new RateLimiterRedis({
		storeClient: r,
		keyPrefix: key('rl', opts.name),
		points: opts.points,
		duration: opts.duration,
		insuranceLimiter: memory()
	});
}
