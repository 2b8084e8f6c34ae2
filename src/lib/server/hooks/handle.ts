import { createHash } from 'node:crypto';
import { json, type Handle, type RequestEvent } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { translate } from '$lib/i18n';
import { IDENTITY_HEADER } from '$lib/offline';
import { isLocale, pickLocale, type Locale } from '$lib/i18n/locales';
import { readSession, registerAnonymous, withSessionCookie } from '../auth';
import { config } from '../config';
import { dbReady } from '../db/startup';
import { DomainError, type ErrorCode, httpStatus } from '../errors';
import { operatorEndpoints } from '../ops/handle';
import { TRPC_PATH } from '$lib/trpc';
import { trpcHandle } from '../trpc/handle';
import { csrf } from './csrf';
import { fillHtmlTag } from './html';
import { prepareForSends } from '../warm';

/** Until the database is migrated, every request (but the operator endpoints before this) answers 503. */
const starting: Handle = async ({ event, resolve }) => {
	if (dbReady()) return resolve(event);
	return new Response('OreAI is starting: the database is not ready yet.', {
		status: 503,
		headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }
	});
};

/** Who is asking: the session's user, or on a page a new anonymous one; locale and theme. */
const identity: Handle = async ({ event, resolve }) => {
	const { user, session } = await readSession(event);
	event.locals.user = user;
	event.locals.session = session;
	const header = event.request.headers.get('accept-language');
	event.locals.locale = user?.locale && isLocale(user.locale) ? user.locale : pickLocale(header);
	event.locals.theme = user?.theme ?? 'system';

	// Pages register visitors on arrival; API calls without a session answer 401 instead.
	if (!user && !event.url.pathname.startsWith('/api/')) {
		try {
			const created = await registerAnonymous(event, event.locals.locale);
			event.locals.user = created.user;
			event.locals.session = created.session;
		} catch (e) {
			if (e instanceof DomainError && e.code === 'rate_limited') return tooManyVisitors(event.locals.locale);
			throw e;
		}
	}

	const response = await resolve(event, {
		transformPageChunk: ({ html }) => fillHtmlTag(html, event.locals.locale, event.locals.theme)
	});
	if (!event.url.pathname.startsWith('/api/')) {
		// Whoever opens a page may send next: be ready for it by then.
		prepareForSends();
		// The offline copy keeps one person's pages: a page for someone else (this device was
		// signed out, or its visitor expired) tells the service worker to forget them.
		if (event.locals.user) response.headers.set(IDENTITY_HEADER, identityTag(event.locals.user.id));
		// Every page is one person's (their chats, their session): never a shared cache's.
		if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-cache');
	}
	// A session extended by this request sends its cookie on every kind of answer (tRPC too).
	return withSessionCookie(event, response);
};

/** Who a page was made for, as an opaque tag: the same person, the same tag. */
const identityTag = (userId: string) => createHash('sha256').update(userId).digest('base64url').slice(0, 16);

function tooManyVisitors(locale: Locale) {
	const title = translate(locale, 'rateLimited.title');
	const body = translate(locale, 'rateLimited.body');
	const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5"><h1>${title}</h1><p>${body}</p></body></html>`;
	return new Response(html, {
		status: 429,
		headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(config().REGISTER_WINDOW_SECONDS) }
	});
}

/** A refusal before any work: JSON `{ code, message }` for the API, a line of text for pages. */
function refuse(event: RequestEvent, code: ErrorCode) {
	const message = translate(pickLocale(event.request.headers.get('accept-language')), `errors.${code}`);
	if (event.url.pathname.startsWith('/api/')) return json({ code, message }, { status: httpStatus[code] });
	return new Response(message + '\n', {
		status: httpStatus[code],
		headers: { 'content-type': 'text/plain; charset=utf-8' }
	});
}

/**
 * API bodies over BODY_SIZE_LIMIT answer 413 before anything reads them: adapter-node's own
 * limit turns into a failed read, which an endpoint would report as a bad body. (Pages and
 * form actions get SvelteKit's 413, or their own answer, as the import on Me does.)
 */
const bodyLimit: Handle = async ({ event, resolve }) => {
	const length = Number(event.request.headers.get('content-length') ?? 0);
	if (event.url.pathname.startsWith('/api/') && length > config().bodyLimitBytes) {
		return refuse(event, 'payload_too_large');
	}
	return resolve(event);
};

/** A tRPC batch is at most TRPC_MAX_BATCH calls: one request cannot order a thousand writes. */
const batchLimit: Handle = async ({ event, resolve }) => {
	const { pathname } = event.url;
	if (pathname.startsWith(TRPC_PATH + '/')) {
		const calls = pathname.slice(TRPC_PATH.length + 1).split(',').length;
		if (calls > config().TRPC_MAX_BATCH) return refuse(event, 'batch_too_large');
	}
	return resolve(event);
};

const headers: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	response.headers.set('x-frame-options', 'DENY');
	return compress(event.request, response);
};

/**
 * adapter-node compresses only static files; pages and tRPC answers are compressed here.
 * Event streams are left alone so every delta reaches the phone at once.
 */
function compress(request: Request, response: Response) {
	const type = response.headers.get('content-type') ?? '';
	if (
		!response.body ||
		response.headers.has('content-encoding') ||
		!/^(text\/html|application\/json)/.test(type) ||
		!/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')
	) {
		return response;
	}
	const headers = new Headers(response.headers);
	headers.set('content-encoding', 'gzip');
	headers.delete('content-length');
	headers.append('vary', 'Accept-Encoding');
	return new Response(response.body.pipeThrough(new CompressionStream('gzip')), {
		status: response.status,
		statusText: response.statusText,
		headers
	});
}

/**
 * Probes first (they never read a session), then headers on everything that follows, 503
 * while the database comes up, the refusals that need no session (origin, size, batch), then
 * identity, then tRPC.
 */
export const handle = sequence(operatorEndpoints, headers, starting, csrf, bodyLimit, batchLimit, identity, trpcHandle);
