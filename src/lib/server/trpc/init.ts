import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { DomainError, type ErrorCode } from '../errors';
import type { Context } from './context';

const trpcCode: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
	bad_request: 'BAD_REQUEST',
	unauthorized: 'UNAUTHORIZED',
	not_found: 'NOT_FOUND',
	chat_busy: 'CONFLICT',
	message_too_long: 'PAYLOAD_TOO_LARGE',
	quota_exhausted: 'FORBIDDEN',
	rate_limited: 'TOO_MANY_REQUESTS',
	upstream_quota: 'INTERNAL_SERVER_ERROR',
	upstream_auth: 'INTERNAL_SERVER_ERROR',
	upstream_rate_limit: 'INTERNAL_SERVER_ERROR',
	context_too_long: 'INTERNAL_SERVER_ERROR',
	upstream_error: 'INTERNAL_SERVER_ERROR',
	upstream_timeout: 'INTERNAL_SERVER_ERROR',
	network: 'INTERNAL_SERVER_ERROR',
	shutdown: 'INTERNAL_SERVER_ERROR',
	interrupted: 'INTERNAL_SERVER_ERROR',
	link_invalid: 'BAD_REQUEST',
	passkey_failed: 'BAD_REQUEST',
	import_invalid: 'BAD_REQUEST',
	import_too_large: 'PAYLOAD_TOO_LARGE',
	forbidden: 'FORBIDDEN',
	payload_too_large: 'PAYLOAD_TOO_LARGE',
	batch_too_large: 'BAD_REQUEST',
	internal: 'INTERNAL_SERVER_ERROR'
};

/** Ids of unexpected failures, set where they are logged (the handle's onError), read below. */
export const errorIds = new WeakMap<TRPCError, string>();

const t = initTRPC.context<Context>().create({
	// Never ship stacks to the browser, whatever NODE_ENV says.
	isDev: false,
	errorFormatter({ shape, error }) {
		const cause = error.cause;
		const code = cause instanceof DomainError ? cause.code : undefined;
		const data = { ...shape.data, stack: undefined, appCode: code ?? null };
		if (error.code !== 'INTERNAL_SERVER_ERROR' || code) return { ...shape, data };
		// An unexpected failure: its message may quote SQL and parameters. Only the id goes out.
		const errorId = errorIds.get(error) ?? null;
		return {
			...shape,
			message: `Something went wrong on our side${errorId ? ` (error id ${errorId})` : ''}.`,
			data: { ...data, appCode: 'internal', errorId }
		};
	}
});

/**
 * Domain errors become tRPC errors here, once, for every procedure (HTTP clients get the
 * matching tRPC code); page loads and actions take the domain error back with `domainErrorOf`.
 */
const mapErrors = t.middleware(async ({ next }) => {
	const result = await next();
	if (!result.ok && result.error.cause instanceof DomainError) {
		const cause = result.error.cause;
		throw new TRPCError({ code: trpcCode[cause.code], message: cause.message, cause });
	}
	return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
export const userProcedure = publicProcedure.use(({ ctx, next }) => {
	if (!ctx.user) throw new DomainError('unauthorized', 'No session');
	return next({ ctx: { ...ctx, user: ctx.user } });
});
