import { redirect } from '@sveltejs/kit';
import { caller } from '$lib/server/trpc/router';
import { actionResult } from '$lib/server/http';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';

/**
 * `/link/<token>` (the QR code) asks before it signs in: a GET alone must not spend the
 * one-time link, or a link preview or scanner would use it up. `/link` takes a typed code.
 */
export const load: PageServerLoad = async ({ params, url }) => ({
	token: params.token ?? null,
	code: url.searchParams.get('code') ?? ''
});

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const token = form.get('token');
		const code = form.get('code');
		const api = await caller(event);
		const result = await actionResult('redeem', () =>
			typeof token === 'string' && token
				? api.devices.redeem({ token })
				: api.devices.redeem({ code: typeof code === 'string' ? code : '' })
		);
		if ('switched' in result) {
			setFlash(event.cookies, '/me', 'linked');
			redirect(303, '/me#devices');
		}
		return result;
	}
};
