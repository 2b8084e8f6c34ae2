import type { AppRouter } from '$lib/server/trpc/router';
import { createTRPCClient } from 'trpc-sveltekit';

/** Where the tRPC handle listens; the server's handle and the browser's client share it. */
export const TRPC_PATH = '/api/trpc';

let client: ReturnType<typeof createTRPCClient<AppRouter>> | undefined;

/**
 * The typed tRPC client for the browser: procedures by name, inputs and answers checked
 * against the server's router. Page loads on the server use the caller instead.
 */
export function trpc() {
	client ??= createTRPCClient<AppRouter>({ url: TRPC_PATH });
	return client;
}
