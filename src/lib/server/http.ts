import { error, fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { DomainError, httpStatus, type ErrorCode } from './errors';

/** Turns a procedure's failure into SvelteKit's error page with the right status. */
export async function orError<T>(work: Promise<T>): Promise<T> {
	try {
		return await work;
	} catch (e) {
		throw asHttpError(e);
	}
}

export function asHttpError(e: unknown) {
	if (e instanceof TRPCError) {
		const cause = e.cause instanceof DomainError ? e.cause : undefined;
		return error(getHTTPStatusCodeFromError(e), { message: e.message, code: cause?.code ?? e.code.toLowerCase() });
	}
	if (e instanceof DomainError) return error(httpStatus[e.code], { message: e.message, code: e.code });
	return e;
}

/** The domain code behind a procedure's failure (input errors are `bad_request`), or null. */
export function errorCodeOf(e: unknown): ErrorCode | null {
	if (e instanceof DomainError) return e.code;
	if (e instanceof TRPCError) {
		if (e.cause instanceof DomainError) return e.cause.code;
		if (e.code === 'BAD_REQUEST') return 'bad_request';
		if (e.code === 'NOT_FOUND') return 'not_found';
		if (e.code === 'UNAUTHORIZED') return 'unauthorized';
	}
	return null;
}

/**
 * Runs a form action's work; a domain failure becomes `fail(status, { action, code })` so the
 * page shows the sentence for that code, with or without JavaScript.
 */
export async function actionResult<T>(action: string, work: () => Promise<T>) {
	try {
		return await work();
	} catch (e) {
		const code = errorCodeOf(e);
		if (!code) throw e;
		return fail(httpStatus[code], { action, code });
	}
}
