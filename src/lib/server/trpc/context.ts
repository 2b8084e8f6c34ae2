import type { RequestEvent } from '@sveltejs/kit';

export async function createContext(event: RequestEvent) {
	return { user: event.locals.user, locale: event.locals.locale, event };
}

export type Context = Awaited<ReturnType<typeof createContext>>;
