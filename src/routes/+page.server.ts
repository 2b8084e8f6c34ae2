import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import { listCursorParam } from '$lib/server/api-input';
import { listCursor } from '$lib/server/chat/chats';
import { PAGE_SIZE } from '$lib/server/chat/paging';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const query = event.url.searchParams.get('q')?.slice(0, 200) ?? '';
	// A cursor that is not one just means "the newest chats".
	const cursor = listCursorParam.safeParse(event.url.searchParams.get('after'));
	const after = cursor.success ? cursor.data : undefined;
	const api = await caller(event);
	const chats = await orError(api.chats.list({ query: query || undefined, after, limit: PAGE_SIZE }));
	// A full page means there may be more: link to the next one (works without JavaScript).
	const next = chats.length === PAGE_SIZE ? listCursor(chats[chats.length - 1]) : null;
	return { query, chats, after: after ?? null, next };
};
