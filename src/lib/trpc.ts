import type { AppRouter } from '$lib/server/trpc/router';
import { createTRPCClient } from 'trpc-sveltekit';

let client: ReturnType<typeof createTRPCClient<AppRouter>> | undefined;

/**
 * The typed tRPC client for the browser: procedures by name, inputs and answers checked
 * against the server's router. Page loads on the server use the caller instead.
 */
export function trpc() {
	client ??= createTRPCClient<AppRouter>({ url: '/api/trpc' });
	return client;
}
