// `npm start`: the app on this machine. WORKERS=1 (default) runs `node build` in this very
// process. WORKERS=N>1 forks N workers (node:cluster) that share the port and, through
// Redis (REDIS_URL, required), replies in flight, locks, limits and leases.
// This launcher runs outside SvelteKit, so it reads its own three settings here; the app
// validates the same names in src/lib/server/config.ts.
import cluster from 'node:cluster';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const server = pathToFileURL(path.resolve('build/index.js')).href;

function setting(name, fallback, min) {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min) {
		console.error(`OreAI: ${name} must be a whole number of at least ${min} (got "${raw}")`);
		process.exit(1);
	}
	return n;
}

const workers = setting('WORKERS', 1, 1);
const drainSeconds = setting('DRAIN_SECONDS', 5, 0);

if (cluster.isWorker) {
	// A worker whose launcher is gone (killed) must not live on unsupervised.
	process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
	// The channel to the launcher must not keep a worker alive once its server has shut
	// down: a worker ends the way `node build` does, when nothing is left to do.
	process.channel?.unref();
	await import(server);
} else if (workers === 1) {
	await import(server);
} else {
	if (!process.env.REDIS_URL) {
		console.error(
			`OreAI: WORKERS=${workers} needs REDIS_URL: the processes share replies in flight, chat locks, ` +
				'rate limits and leases through Redis. Set REDIS_URL, or run one process (WORKERS=1 or `node build`).'
		);
		process.exit(1);
	}
	await primary();
}

async function primary() {
	const { AggregatorRegistry } = await import('prom-client');
	const metrics = new AggregatorRegistry();
	let stopping = false;
	let crashes = 0;

	// /metrics on any worker answers for all of them: it asks here, prom-client aggregates.
	// Each worker says when its database is ready; until all are, some requests answer 503.
	const ready = new Set();
	let allReady = false;
	cluster.on('message', async (worker, m) => {
		if (m?.type === 'oreai:ready') {
			ready.add(worker.id);
			if (!allReady && ready.size >= workers) {
				allReady = true;
				console.log(`OreAI: all ${workers} workers ready`);
			} else if (allReady) console.log(`OreAI: worker ${worker.process.pid} ready`);
			return;
		}
		if (m?.type !== 'oreai:metrics') return;
		try {
			worker.send({ type: 'oreai:metrics', id: m.id, body: await metrics.clusterMetrics() });
		} catch (e) {
			worker.send({ type: 'oreai:metrics', id: m.id, error: e.message });
		}
	});

	cluster.on('exit', (worker, code, signal) => {
		ready.delete(worker.id);
		if (stopping) {
			if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
			return;
		}
		// A crashed worker's replies are marked interrupted by the others once its lease expires.
		console.error(`OreAI: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
		crashes++;
		setTimeout(() => cluster.fork(), Math.min(30_000, 500 * 2 ** Math.min(crashes, 6))).unref();
	});
	setInterval(() => (crashes = 0), 60_000).unref();

	for (let i = 0; i < workers; i++) cluster.fork();
	console.log(`OreAI: launcher ${process.pid} started ${workers} workers`);

	const each = (fn) => Object.values(cluster.workers ?? {}).forEach((w) => w && fn(w));
	// SIGTERM: /readyz turns 503 at once, so a load balancer stops sending; the workers keep
	// serving for DRAIN_SECONDS, then stop their replies, store them and exit.
	process.on('SIGTERM', () => {
		if (stopping) return;
		stopping = true;
		each((w) => w.send({ type: 'oreai:drain' }));
		setTimeout(() => each((w) => w.process.kill('SIGTERM')), drainSeconds * 1000);
	});
	// Ctrl-C reaches every process of the terminal's group at once; just wait for them.
	process.on('SIGINT', () => {
		stopping = true;
	});
}
