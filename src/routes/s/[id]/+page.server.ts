import { error, redirect } from '@sveltejs/kit';
import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import { shareIdParam } from '$lib/server/trpc/routers/shares';
import type { Actions, PageServerLoad } from './$types';

function shareIdOf(params: { id: string }) {
	const id = shareIdParam.safeParse(params.id);
	if (!id.success) error(404, { message: 'No such shared chat', code: 'not_found' });
	return id.data;
}

export const load: PageServerLoad = async (event) => {
	const id = shareIdOf(event.params);
	// Shared links are for the people they are sent to, not for search engines.
	event.setHeaders({ 'x-robots-tag': 'noindex, nofollow' });
	const api = await caller(event);
	return { share: await orError(api.shares.get({ id })) };
};

export const actions: Actions = {
	/** "Continue this chat": copies the snapshot into the visitor's own chats and opens it. */
	continue: async (event) => {
		const api = await caller(event);
		const { id } = await orError(api.shares.continue({ id: shareIdOf(event.params) }));
		redirect(303, `/chat/${id}`);
	}
};
