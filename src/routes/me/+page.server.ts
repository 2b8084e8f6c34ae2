import { fail, redirect } from '@sveltejs/kit';
import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import { setFlash, takeFlash } from '$lib/server/flash';
import { isLocale } from '$lib/i18n/locales';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const api = await caller(event);
	const flash = takeFlash(event.cookies, '/me');
	const deleted = flash?.startsWith('deleted:') ? Number(flash.slice(8)) : null;
	return { me: await orError(api.me.get()), saved: flash === 'saved', deleted };
};

export const actions: Actions = {
	settings: async (event) => {
		const form = await event.request.formData();
		const locale = form.get('locale');
		const theme = form.get('theme');
		if ((locale !== 'auto' && !isLocale(locale)) || (theme !== 'system' && theme !== 'light' && theme !== 'dark')) {
			return fail(400, { error: 'bad_request' });
		}
		const api = await caller(event);
		await orError(api.me.update({ locale: locale === 'auto' ? null : locale, theme }));
		setFlash(event.cookies, '/me', 'saved');
		redirect(303, '/me');
	},
	deleteAll: async (event) => {
		const form = await event.request.formData();
		if (form.get('confirm') !== 'yes') return fail(400, { error: 'confirm' });
		const api = await caller(event);
		const { deleted } = await orError(api.chats.deleteAll());
		setFlash(event.cookies, '/me', `deleted:${deleted}`);
		redirect(303, '/me');
	}
};
