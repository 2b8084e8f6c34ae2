import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { config } from './config';
import { DomainError } from './errors';
import { rateLimiter } from './rate-limit';

/**
 * Per-user and per-address limits on what costs the most: new chats, sends and model calls.
 * Each throws `rate_limited` (429 everywhere) past its setting.
 */

let limiters: { chats: RateLimiterAbstract; sends: RateLimiterAbstract; addressCalls: RateLimiterAbstract } | undefined;
function all() {
	const c = config();
	limiters ??= {
		chats: rateLimiter({ name: 'chat-create', points: c.CHATS_PER_MINUTE, duration: 60 }),
		sends: rateLimiter({ name: 'send', points: c.SENDS_PER_MINUTE, duration: 60 }),
		addressCalls: rateLimiter({ name: 'address-calls', points: c.ADDRESS_DAILY_CALLS, duration: 86_400 })
	};
	return limiters;
}

async function take(limiter: RateLimiterAbstract, key: string, what: string) {
	try {
		await limiter.consume(key);
	} catch (e) {
		// A store failure is an Error; over the limit is a RateLimiterRes. Both refuse.
		if (e instanceof Error) throw e;
		throw new DomainError('rate_limited', `Too many ${what}`);
	}
}

/** One more new chat for this user in the current minute, or `rate_limited`. */
export function takeChatCreation(userId: string) {
	return take(all().chats, userId, 'new chats');
}

/**
 * One more send for this user in the current minute, and one more model call for the client
 * address today: clearing cookies makes a new anonymous user with a fresh quota, but not a
 * fresh address. Returns `refund`, for a send that ends up making no model call.
 */
export async function takeSend(userId: string, address: string) {
	await take(all().sends, userId, 'messages');
	await take(all().addressCalls, address, 'replies from this address today');
	return {
		refund: () =>
			all()
				.addressCalls.reward(address, 1)
				.then(() => undefined)
	};
}
