import type { RequestEvent } from '@sveltejs/kit';
import { config } from './config';

/**
 * The origin a browser sees for this request. With `ORIGIN` set it is that. Without it,
 * adapter-node assumes https, which is wrong for the quick start (`node build` serves plain
 * http): here the scheme is http unless a trusted proxy names it in `PROTOCOL_HEADER`, and
 * the host is the request's own (or `HOST_HEADER`'s).
 */
export function requestOrigin(event: Pick<RequestEvent, 'request'>): string | null {
	const c = config();
	if (c.ORIGIN) return new URL(c.ORIGIN).origin;
	const headers = event.request.headers;
	const forwarded = c.PROTOCOL_HEADER ? headers.get(c.PROTOCOL_HEADER)?.split(',')[0].trim().toLowerCase() : null;
	const scheme = forwarded === 'https' ? 'https' : 'http';
	const host = (c.HOST_HEADER ? headers.get(c.HOST_HEADER)?.split(',')[0].trim() : null) || headers.get('host');
	if (!host) return null;
	try {
		return new URL(`${scheme}://${host}`).origin;
	} catch {
		// A Host header that is not a host: nothing can match it.
		return null;
	}
}

/** Whether the browser reached us over https: only then may a cookie be `Secure`. */
export function isHttps(event: Pick<RequestEvent, 'request'>) {
	return requestOrigin(event)?.startsWith('https:') ?? false;
}
