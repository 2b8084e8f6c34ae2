import { fail } from '@sveltejs/kit';
import { caller } from '$lib/server/trpc/router';
import { orError } from '$lib/server/http';
import { isLocale, pickLocale } from '$lib/i18n/locales';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const api = await caller(event);
	return { me: await orError(api.me.get()) };
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
		// This very response already renders in the new language and theme.
		event.locals.theme = theme;
		event.locals.locale = locale === 'auto' ? pickLocale(event.request.headers.get('accept-language')) : locale;
		return { saved: true };
	},
	deleteAll: async (event) => {
		const form = await event.request.formData();
		if (form.get('confirm') !== 'yes') return fail(400, { error: 'confirm' });
		const api = await caller(event);
		const { deleted } = await orError(api.chats.deleteAll());
		return { deleted };
	}
};
