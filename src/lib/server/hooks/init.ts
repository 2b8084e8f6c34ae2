import type { ServerInit } from '@sveltejs/kit';
import { sweepUnclaimedUsers } from '../auth';
import { shutdownGenerations } from '../chat/lifecycle';
import { startSharedState, stopSharedState } from '../cluster';
import { pool } from '../db';
import { dbReady, startDatabase } from '../db/startup';
import { describeError, log } from '../log';
import { listenForDrain, markDraining, markMigrated } from '../ops/health';
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from '../ops/heap';
import { startMetrics } from '../ops/metrics';
import { closeRedis } from '../redis';

/** Once per process, before the first request: schema, seed data, recovery, shutdown hooks. */
export const init: ServerInit = async () => {
	// A promise nobody awaited that fails (a library's, or ours) must not take the server down
	// for everyone, as Node does by default: it is logged with where it came from.
	process.on('unhandledRejection', (e) => log.error({ error: describeError(e) }, 'unhandled rejection'));
	if (tuneHeapGrowth())
		log.info(
			{ heapGrowingPercent: HEAP_GROWING_PERCENT },
			'old generation grows by at most half between full collections'
		);
	startMetrics();
	listenForDrain();
	// Not awaited: the app listens (and answers 503) while the database is still coming up.
	let shared = false;
	void startDatabase(async () => {
		markMigrated();
		await sweepUnclaimedUsers();
		// Without Redis: marks every `streaming` reply interrupted; with it, only dead processes' ones.
		if (!shared) await startSharedState();
		shared = true;
	}).then(() => {
		// Under `npm start` with WORKERS>1: the launcher says when every worker can serve.
		if (process.connected) process.send?.({ type: 'oreai:ready' });
	});
	setInterval(() => {
		if (!dbReady()) return;
		// The next sweep catches up.
		void sweepUnclaimedUsers().catch((e) => log.warn({ error: e?.name }, 'sweeping unclaimed users failed'));
	}, 10 * 60_000).unref();
	// adapter-node emits `sveltekit:shutdown` only once every connection has closed, and an
	// open reply stream keeps one open: stop the replies on the signal itself so streams end.
	const stopReplies = () => {
		markDraining();
		void shutdownGenerations().catch((e) => log.warn({ error: e?.name }, 'stopping replies failed'));
	};
	process.once('SIGTERM', stopReplies);
	process.once('SIGINT', stopReplies);
	process.once('sveltekit:shutdown', async () => {
		await shutdownGenerations();
		await stopSharedState();
		await pool.end();
		await closeRedis();
	});
};
