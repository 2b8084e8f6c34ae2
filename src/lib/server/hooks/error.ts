import type { HandleServerError } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { translate } from '$lib/i18n';
import { pickLocale } from '$lib/i18n/locales';
import { logFailure } from '../log';

/**
 * Every unexpected error of a page, form action or endpoint ends here: one log line with a
 * short id, and the person sees a sentence and that id, never the error's own message (a
 * database error's message quotes SQL and its parameters).
 */
export const handleError: HandleServerError = ({ error, event, status }) => {
	const locale = event.locals.locale ?? pickLocale(event.request.headers.get('accept-language'));
	if (status < 500) {
		// SvelteKit's own refusals (no such page, body too large): nothing broke.
		const text =
			status === 404 ? 'errorPage.notFound' : status === 413 ? 'errors.payload_too_large' : 'errors.bad_request';
		return { message: translate(locale, text) };
	}
	// The route id, not the path: paths can hold one-time tokens (/link/<token>).
	// Through the tRPC caller a failure arrives wrapped; the log wants what was thrown.
	const thrown = error instanceof TRPCError ? (error.cause ?? error) : error;
	const errorId = logFailure('request', thrown, {
		method: event.request.method,
		route: event.route.id ?? 'unmatched',
		status
	});
	return { message: translate(locale, 'errors.internal'), code: 'internal', errorId };
};
