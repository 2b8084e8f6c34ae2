import cluster from 'node:cluster';
import type { Generation } from '../chat/generation';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of this process. Under `npm start` with several workers, /metrics on
 * any worker answers for all of them: the worker asks the launcher, which aggregates every
 * worker's registry through prom-client's AggregatorRegistry (counters summed).
 */
export const registry = new Registry();

export const liveStreams = new Gauge({
	name: 'oreai_live_streams',
	help: 'Replies being generated right now',
	registers: [registry]
});

export const firstTokenSeconds = new Histogram({
	name: 'oreai_first_token_seconds',
	help: 'Time from sending a request upstream to the first token of the reply',
	buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
	registers: [registry]
});

export const upstreamErrors = new Counter({
	name: 'oreai_upstream_errors_total',
	help: 'Replies ended by an upstream failure, by error code',
	labelNames: ['code'] as const,
	registers: [registry]
});

export const quotaRefusals = new Counter({
	name: 'oreai_quota_refusals_total',
	help: 'Messages refused because the person had no quota left',
	registers: [registry]
});

export const registrations = new Counter({
	name: 'oreai_registrations_total',
	help: 'Anonymous users created',
	registers: [registry]
});

export const registrationsRefused = new Counter({
	name: 'oreai_registrations_refused_total',
	help: 'New visitors turned away by the per-address registration limit',
	registers: [registry]
});

let started = false;
/** Called once from init: process metrics, and answering the launcher's metric requests. */
export function startMetrics() {
	if (started) return;
	started = true;
	collectDefaultMetrics({ register: registry });
	if (cluster.isWorker) {
		AggregatorRegistry.setRegistries([registry]);
		// The constructor installs the worker's listener for the primary's metric requests.
		new AggregatorRegistry();
	}
}

const CLUSTER_REQUEST = 'oreai:metrics';
let nextRequest = 0;

/** The metrics text and its content type: this process's, or every worker's when clustered. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
	if (!cluster.isWorker || !process.send) return { body: await registry.metrics(), contentType: registry.contentType };
	const id = `${process.pid}:${nextRequest++}`;
	const body = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => {
			process.off('message', onMessage);
			reject(new Error('the launcher did not answer the metrics request'));
		}, 5000);
		function onMessage(m: unknown) {
			const msg = m as { type?: string; id?: string; body?: string; error?: string };
			if (msg?.type !== CLUSTER_REQUEST || msg.id !== id) return;
			clearTimeout(timer);
			process.off('message', onMessage);
			if (msg.error) reject(new Error(msg.error));
			else resolve(msg.body ?? '');
		}
		process.on('message', onMessage);
		process.send!({ type: CLUSTER_REQUEST, id });
	});
	return { body, contentType: registry.contentType };
}

/**
 * Follows one reply from its start: live while it runs, time to its first text, and the
 * upstream failure that ended it, if any. Stopped replies are not failures.
 */
export function observeGeneration(g: Pick<Generation, 'subscribe'>) {
	const started = performance.now();
	let first = true;
	liveStreams.inc();
	g.subscribe((e) => {
		if (e.type === 'delta') {
			if (first) firstTokenSeconds.observe((performance.now() - started) / 1000);
			first = false;
			return;
		}
		liveStreams.dec();
		if (e.type === 'error') upstreamErrors.inc({ code: e.code });
	});
}
