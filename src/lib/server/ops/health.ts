import { sql } from 'drizzle-orm';
import { db } from '../db';
import { dbReady } from '../db/startup';
import { redis } from '../redis';

/**
 * What a load balancer asks: is this process able to serve? Ready once migrations are
 * applied, while the database (and Redis, if configured) answer, and until SIGTERM.
 */
let migrated = false;
let draining = false;

export const markMigrated = () => void (migrated = true);
export const markDraining = () => void (draining = true);
export const isDraining = () => draining;

/** Under `npm start` with workers, the launcher announces SIGTERM before the drain delay. */
export function listenForDrain() {
	process.on('message', (m: { type?: string } | null) => {
		if (m?.type === 'oreai:drain') markDraining();
	});
}

const PING_TIMEOUT_MS = 2000;

function within<T>(work: Promise<T>, ms = PING_TIMEOUT_MS): Promise<T> {
	let timer: ReturnType<typeof setTimeout>;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error('timed out')), ms);
	});
	return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export type Readiness = { ready: boolean; checks: Record<string, 'ok' | string> };

export async function readiness(): Promise<Readiness> {
	const checks: Record<string, string> = {};
	checks.draining = draining ? 'shutting down' : 'ok';
	// Migrated is not yet serving: recovery (leases, interrupted replies) runs first, and
	// requests answer 503 until it is done.
	checks.migrations = !migrated ? 'not applied' : dbReady() ? 'ok' : 'starting';
	const [database, cache] = await Promise.allSettled([
		within(db.execute(sql`SELECT 1`)),
		redis() ? within(redis()!.ping()) : Promise.resolve('PONG')
	]);
	checks.database = database.status === 'fulfilled' ? 'ok' : 'unreachable';
	if (redis()) checks.redis = cache.status === 'fulfilled' ? 'ok' : 'unreachable';
	return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
