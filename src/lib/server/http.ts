import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { DomainError, httpStatus } from './errors';

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
