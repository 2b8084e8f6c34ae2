import { error, fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { DomainError, httpStatus, type ErrorCode } from './errors';

/** Turns a procedure's failure into SvelteKit's error page with the right status. */
export async function orError<T>(work: Promise<T>): Promise<T> {
	try {
		return await work;
	} catch (e) {
		throw asHttpError(e);
	}
}

/** tRPC's own refusals (input that fails its schema, an unknown procedure, no session) as domain codes. */
const fromTrpc: Partial<Record<TRPCError['code'], ErrorCode>> = {
	BAD_REQUEST: 'bad_request',
	NOT_FOUND: 'not_found',
	UNAUTHORIZED: 'unauthorized'
};

/**
 * The domain error behind a failure. Services throw it directly; through the caller, tRPC
 * hands it back wrapped in a TRPCError (its `cause`). Null for anything else: a bug.
 */
export function domainErrorOf(e: unknown): DomainError | null {
	if (e instanceof DomainError) return e;
	if (e instanceof TRPCError) {
		if (e.cause instanceof DomainError) return e.cause;
		const code = fromTrpc[e.code];
		if (code) return new DomainError(code, e.message);
	}
	return null;
}

/** A domain failure as SvelteKit's error (status from the one `httpStatus` table); anything else as is. */
export function asHttpError(e: unknown) {
	const d = domainErrorOf(e);
	return d ? error(httpStatus[d.code], { message: d.message, code: d.code }) : e;
}

/** The domain code behind a procedure's failure, or null. */
export function errorCodeOf(e: unknown): ErrorCode | null {
	return domainErrorOf(e)?.code ?? null;
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
