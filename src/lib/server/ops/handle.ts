import type { Handle, RequestEvent } from '@sveltejs/kit';
import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from '../config';
import { readiness } from './health';
import { metricsText } from './metrics';

/**
 * /healthz, /readyz and /metrics, answered before sessions are read: a probe never
 * creates an anonymous user, and a liveness check never touches the database.
 */
export const operatorEndpoints: Handle = async ({ event, resolve }) => {
	switch (event.url.pathname) {
		case '/healthz':
			return plain(200, 'ok\n');
		case '/readyz': {
			const { ready, checks } = await readiness();
			return new Response(JSON.stringify({ ready, checks }) + '\n', {
				status: ready ? 200 : 503,
				headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
			});
		}
		case '/metrics': {
			if (!mayReadMetrics(event)) return plain(403, 'forbidden\n');
			const { body, contentType } = await metricsText();
			return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
		}
		default:
			return resolve(event);
	}
};

const plain = (status: number, body: string) =>
	new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function mayReadMetrics(event: RequestEvent) {
	const token = config().METRICS_TOKEN;
	if (token) {
		const given = /^Bearer (.+)$/i.exec(event.request.headers.get('authorization') ?? '')?.[1] ?? '';
		// Hashes have equal lengths, as timingSafeEqual needs, whatever was sent.
		const digest = (s: string) => createHash('sha256').update(s).digest();
		return timingSafeEqual(digest(given), digest(token));
	}
	return LOOPBACK.has(event.getClientAddress());
}
