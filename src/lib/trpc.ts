import type { AppRouter } from '$lib/server/trpc/router';
import type { createTRPCClient } from 'trpc-sveltekit';

/** Where the tRPC handle listens; the server's handle and the browser's client share it. */
export const TRPC_PATH = '/api/trpc';

let client: Promise<ReturnType<typeof createTRPCClient<AppRouter>>> | undefined;

/**
 * The typed tRPC client for the browser: procedures by name, inputs and answers checked
 * against the server's router. Page loads on the server use the caller instead. Only older
 * pages and a few message actions need it, so its code is fetched on first use, not with
 * the page. A failed fetch of that code is tried again on the next call.
 */
export function trpc() {
	client ??= import('trpc-sveltekit').then(
		({ createTRPCClient }) => createTRPCClient<AppRouter>({ url: TRPC_PATH }),
		(e: unknown) => {
			client = undefined;
			throw e;
		}
	);
	return client;
}
