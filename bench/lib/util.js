// Small helpers: sleeping, free ports, percentiles and summaries, bounded parallel work.
import net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (srv.address());
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

/** Nearest-rank percentile of a numeric array (null when empty). */
export function pct(values, p) {
	if (!values.length) return null;
	const s = [...values].sort((a, b) => a - b);
	const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
	return s[i];
}
export const round = (v, d = 1) => (v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d);
export const stats = (values) => ({
	n: values.length,
	min: round(values.length ? Math.min(...values) : null),
	p50: round(pct(values, 50)),
	p95: round(pct(values, 95)),
	p99: round(pct(values, 99)),
	max: round(values.length ? Math.max(...values) : null)
});

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
	const out = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return out;
}

// Setup requests reuse connections; measured streams each open a fresh one (`agent: false`),
// as 500 different phones would.
