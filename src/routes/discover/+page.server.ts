import { redirect } from '@sveltejs/kit';
import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const api = await caller(event);
	return { prompts: await orError(api.prompts.list()) };
};

export const actions: Actions = {
	start: async (event) => {
		const form = await event.request.formData();
		const slug = form.get('prompt');
		const api = await caller(event);
		// Tapping "New chat" again reopens the untouched one instead of adding another empty chat.
		const chat = await orError(
			api.chats.create({ promptSlug: typeof slug === 'string' && slug ? slug : null, reuseEmpty: true })
		);
		redirect(303, `/chat/${chat.id}`);
	}
};
