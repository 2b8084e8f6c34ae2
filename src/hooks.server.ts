import type { Handle, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { createTRPCHandle } from 'trpc-sveltekit';
import { readSession, registerAnonymous, sweepUnclaimedUsers } from '$lib/server/auth';
import { config } from '$lib/server/config';
import { pool } from '$lib/server/db';
import { dbReady, startDatabase } from '$lib/server/db/startup';
import { closeRedis } from '$lib/server/redis';
import { DomainError } from '$lib/server/errors';
import { shutdownGenerations } from '$lib/server/chat/lifecycle';
import { startSharedState, stopSharedState } from '$lib/server/cluster';
import { listenForDrain, markDraining, markMigrated } from '$lib/server/ops/health';
import { operatorEndpoints } from '$lib/server/ops/handle';
import { startMetrics } from '$lib/server/ops/metrics';
import { createContext } from '$lib/server/trpc/context';
import { appRouter } from '$lib/server/trpc/router';
import { isLocale, pickLocale } from '$lib/i18n/locales';
import { translate } from '$lib/i18n';
import { warmTokenizer } from '$lib/server/llm/tokens';

export const init: ServerInit = async () => {
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
	});
	warmTokenizer();
	setInterval(() => {
		if (dbReady()) void sweepUnclaimedUsers().catch(() => {}); // the next sweep catches up
	}, 10 * 60_000).unref();
	// adapter-node emits `sveltekit:shutdown` only once every connection has closed, and an
	// open reply stream keeps one open: stop the replies on the signal itself so streams end.
	const stopReplies = () => {
		markDraining();
		void shutdownGenerations().catch(() => {});
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

/** Until the database is migrated, every request (but the operator endpoints before this) answers 503. */
const starting: Handle = async ({ event, resolve }) => {
	if (dbReady()) return resolve(event);
	return new Response('OreAI is starting: the database is not ready yet.', {
		status: 503,
		headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }
	});
};

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

	return resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale).replace('%theme%', event.locals.theme)
	});
};

function tooManyVisitors(locale: 'en' | 'zh-CN') {
	const title = translate(locale, 'rateLimited.title');
	const body = translate(locale, 'rateLimited.body');
	const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5"><h1>${title}</h1><p>${body}</p></body></html>`;
	return new Response(html, {
		status: 429,
		headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(config().REGISTER_WINDOW_SECONDS) }
	});
}

const trpc = createTRPCHandle({ router: appRouter, createContext, url: '/api/trpc' });

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

export const handle = sequence(operatorEndpoints, headers, starting, identity, trpc);
