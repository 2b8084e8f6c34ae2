import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const query = event.url.searchParams.get('q')?.slice(0, 200) ?? '';
	const api = await caller(event);
	return { query, chats: await orError(api.chats.list({ query: query || undefined })) };
};
