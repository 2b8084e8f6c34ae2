import { json, type Handle } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import { pickLocale } from '$lib/i18n/locales';
import { requestOrigin } from '../origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type OriginVerdict = 'same-origin' | 'cross-origin' | 'no-browser-headers';

/**
 * Where a state-changing request came from, by what every current browser sends with one:
 * `Origin`, else `Sec-Fetch-Site`, else `Referer`. Content type plays no part, so a POST with
 * no body and no Content-Type is judged like any other.
 */
export function judgeOrigin(headers: Headers, expected: string | null): OriginVerdict {
	const origin = headers.get('origin');
	if (origin !== null) return expected !== null && origin === expected ? 'same-origin' : 'cross-origin';
	const site = headers.get('sec-fetch-site');
	if (site !== null) return site === 'same-origin' ? 'same-origin' : 'cross-origin';
	const referer = headers.get('referer');
	if (referer !== null) {
		try {
			return expected !== null && new URL(referer).origin === expected ? 'same-origin' : 'cross-origin';
		} catch {
			return 'cross-origin';
		}
	}
	return 'no-browser-headers';
}

/**
 * Our CSRF check, in place of SvelteKit's (which, with `ORIGIN` unset, compares against an
 * https origin and so refused every form on a plain-http quick start, and which looks at form
 * content types only). Every POST, PUT, PATCH and DELETE to any path (pages, form actions,
 * /api/trpc, /api/chats/**) must come from this app's own origin: `ORIGIN`, or the scheme
 * and host this request really used. Another origin, another port of the same host included,
 * answers 403 before any session is read or user created.
 *
 * A request with none of Origin, Sec-Fetch-Site or Referer is let through: browsers send
 * Origin on every POST (and Sec-Fetch-Site on every request), so such a request does not
 * come from a browser and cannot carry a victim's cookie by forgery; it is a script or curl
 * acting with its own cookie.
 */
export const csrf: Handle = async ({ event, resolve }) => {
	if (SAFE_METHODS.has(event.request.method)) return resolve(event);
	if (judgeOrigin(event.request.headers, requestOrigin(event)) !== 'cross-origin') return resolve(event);
	const message = translate(pickLocale(event.request.headers.get('accept-language')), 'errors.forbidden');
	if (event.url.pathname.startsWith('/api/')) return json({ code: 'forbidden', message }, { status: 403 });
	return new Response(message + '\n', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
};
