import { markStreamingInterrupted } from './messages';
import { drainPending } from './pending-ends';
import { registry } from './registry';

let shuttingDown = false;

export const isShuttingDown = () => shuttingDown;

/** On SIGTERM: stop every reply, keep its text as `stopped`, and wait until all are stored. */
export async function shutdownGenerations() {
	shuttingDown = true;
	const all = registry().local();
	for (const g of all) g.stop('shutdown');
	await Promise.all(all.map((g) => g.finished));
	// Replies whose last write waits for the database get a little longer before the pool closes.
	await drainPending(10_000);
}

/** At start, replies left `streaming` by a crash can never finish: mark them interrupted. */
export async function markInterrupted() {
	await markStreamingInterrupted();
}
