import type { Handle } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { createTRPCHandle } from 'trpc-sveltekit';
import { TRPC_PATH } from '$lib/trpc';
import { DomainError } from '../errors';
import { logFailure } from '../log';
import { createContext } from './context';
import { errorIds } from './init';
import { appRouter } from './router';

/** tRPC over HTTP. An unexpected failure is logged once here; its answer carries only the id. */
export const trpcHandle: Handle = createTRPCHandle({
	router: appRouter,
	createContext,
	url: TRPC_PATH,
	onError({ error, path, type }) {
		if (!isUnexpected(error)) return;
		errorIds.set(error, logFailure('trpc', error.cause ?? error, { procedure: path ?? 'unknown', type }));
	}
});

function isUnexpected(error: TRPCError) {
	return error.code === 'INTERNAL_SERVER_ERROR' && !(error.cause instanceof DomainError);
}
