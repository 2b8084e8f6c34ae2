import { router } from './init';
import { chatsRouter } from './routers/chats';
import { devicesRouter } from './routers/devices';
import { meRouter } from './routers/me';
import { passkeysRouter } from './routers/passkeys';
import { promptsRouter } from './routers/prompts';
import { sharesRouter } from './routers/shares';
import { createContext } from './context';
import type { RequestEvent } from '@sveltejs/kit';

export const appRouter = router({
	chats: chatsRouter,
	prompts: promptsRouter,
	me: meRouter,
	devices: devicesRouter,
	shares: sharesRouter,
	passkeys: passkeysRouter
});
export type AppRouter = typeof appRouter;

/** The server-side caller page loads and form actions use: same procedures, same checks. */
export async function caller(event: RequestEvent) {
	return appRouter.createCaller(await createContext(event));
}
