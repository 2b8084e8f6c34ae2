import { markInterrupted } from '../chat/lifecycle';
import { markOwnersInterrupted, streamingOwners } from '../chat/messages';
import { useRegistry } from '../chat/registry';
import { config } from '../config';
import { key, redis } from '../redis';
import { RedisRegistry } from './redis-registry';
import { workerId } from './worker';

/**
 * Shared state at start. Without Redis this is the only process: replies left `streaming`
 * were cut by a crash and are marked interrupted. With Redis, other processes may be
 * generating right now: each process holds a lease (`lease:<worker>`, renewed every third
 * of LEASE_SECONDS), and only replies whose owner's lease has expired are marked, by
 * whichever process sweeps first (at start and every couple of seconds).
 */
let timers: ReturnType<typeof setInterval>[] = [];
let shared: RedisRegistry | undefined;

export async function startSharedState() {
	const r = redis();
	if (!r) {
		await markInterrupted();
		return;
	}
	const leaseMs = config().LEASE_SECONDS * 1000;
	const registry = new RedisRegistry(r, leaseMs);
	shared = registry;
	useRegistry(registry);
	const renew = async () => {
		await r.set(key('lease', workerId), String(Date.now()), 'PX', leaseMs);
		await registry.renewLocks();
	};
	const every = (ms: number, work: () => Promise<unknown>, what: string) => {
		const t = setInterval(() => void work().catch((e) => console.error(`OreAI: ${what}:`, e.message)), ms);
		t.unref();
		timers.push(t);
	};
	every(Math.max(200, leaseMs / 3), renew, 'could not renew the lease');
	every(Math.min(2000, Math.max(200, leaseMs / 2)), sweepExpiredLeases, 'could not sweep expired leases');
	// Redis may be down at start: the process still starts, /readyz says 503 naming Redis, and
	// this completes (commands wait in ioredis's queue) once it answers. The lease is set
	// before any reply can be claimed: commands on one connection run in order.
	const setUp = (async () => {
		for (let attempt = 0; shared; attempt++) {
			try {
				await renew();
				await registry.start();
				await sweepExpiredLeases();
				return;
			} catch (e) {
				if (attempt === 0) console.error('OreAI: Redis does not answer yet; retrying:', (e as Error).message);
				await new Promise((r) => setTimeout(r, 1000).unref());
			}
		}
	})();
	await Promise.race([setUp, new Promise((r) => setTimeout(r, 3000).unref())]);
}

/** Marks interrupted the `streaming` replies of processes whose lease has expired. */
export async function sweepExpiredLeases() {
	const r = redis();
	if (!r) return 0;
	const owners = (await streamingOwners()).filter((o) => o !== workerId);
	if (!owners.length) return 0;
	const alive = await Promise.all(owners.map((o) => (o === null ? 0 : r.exists(key('lease', o)))));
	const dead = owners.filter((_, i) => alive[i] === 0);
	if (!dead.length) return 0;
	const marked = await markOwnersInterrupted(dead);
	if (marked) console.warn(`OreAI: marked ${marked} replies interrupted; their processes stopped: ${dead.join(', ')}`);
	return marked;
}

/** At shutdown, once this process's replies are stored: give up the lease at once. */
export async function stopSharedState() {
	for (const t of timers) clearInterval(t);
	timers = [];
	const r = redis();
	const registry = shared;
	shared = undefined;
	if (!r || !registry) return;
	await registry.close();
	await r.del(key('lease', workerId)).catch(() => {
		/* it expires by itself */
	});
}
