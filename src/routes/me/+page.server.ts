import { fail, redirect } from '@sveltejs/kit';
import QRCode from 'qrcode';
import { caller } from '$lib/server/trpc/router';
import { actionResult, orError } from '$lib/server/http';
import { config } from '$lib/server/config';
import { requestOrigin } from '$lib/server/origin';
import { formatCode } from '$lib/server/devices';
import { setFlash, takeFlash } from '$lib/server/flash';
import { isLocale } from '$lib/i18n/locales';
import { isTheme } from '$lib/theme';
import { deviceName } from '$lib/user-agent';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const api = await caller(event);
	const flash = takeFlash(event.cookies, '/me');
	const deleted = flash?.startsWith('deleted:') ? Number(flash.slice(8)) : null;
	const [me, devices, shares, passkeys] = await Promise.all([
		orError(api.me.get()),
		orError(api.devices.list()),
		orError(api.shares.list()),
		orError(api.passkeys.list())
	]);
	return {
		me,
		saved: flash === 'saved',
		deleted,
		linked: flash === 'linked',
		signedOut: flash === 'signedOut',
		revoked: flash === 'revoked',
		shares,
		passkeys,
		passkeyRemoved: flash === 'passkeyRemoved',
		importLimitBytes: config().importLimitBytes,
		devices: devices.map((d) => ({ ...d, name: deviceName(d.userAgent) }))
	};
};

const text = (form: FormData, name: string) => {
	const v = form.get(name);
	return typeof v === 'string' ? v : '';
};

export const actions: Actions = {
	settings: async (event) => {
		const form = await event.request.formData();
		const locale = form.get('locale');
		const theme = form.get('theme');
		if ((locale !== 'auto' && !isLocale(locale)) || !isTheme(theme)) {
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
	},
	/** "Use on another device": a one-time code and a QR code of the link, shown once. */
	link: async (event) => {
		const api = await caller(event);
		return actionResult('link', async () => {
			const link = await api.devices.createLink();
			const url = `${requestOrigin(event) ?? event.url.origin}/link/${link.token}`;
			const qr = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
			return {
				action: 'link' as const,
				link: { code: formatCode(link.code), url, qr, expiresAt: link.expiresAt.toISOString() }
			};
		});
	},
	/** Typing a code from another device signs this browser into that account. */
	redeem: async (event) => {
		const code = text(await event.request.formData(), 'code');
		const api = await caller(event);
		const result = await actionResult('redeem', () => api.devices.redeem({ code }));
		if ('switched' in result) {
			setFlash(event.cookies, '/me', 'linked');
			redirect(303, '/me#devices');
		}
		return result;
	},
	signOut: async (event) => {
		const id = text(await event.request.formData(), 'device');
		const api = await caller(event);
		const result = await actionResult('signOut', () => api.devices.signOut({ id }));
		if ('id' in result) {
			setFlash(event.cookies, '/me', 'signedOut');
			redirect(303, '/me#devices');
		}
		return result;
	},
	revokeShare: async (event) => {
		const id = text(await event.request.formData(), 'share');
		const api = await caller(event);
		const result = await actionResult('revokeShare', () => api.shares.revoke({ id }));
		if ('id' in result) {
			setFlash(event.cookies, '/me', 'revoked');
			redirect(303, '/me#shares');
		}
		return result;
	},
	/** Multipart upload of an export file; the page shows what came in and what was skipped. */
	import: async (event) => {
		let form: FormData;
		try {
			form = await event.request.formData();
		} catch {
			// adapter-node stops reading past BODY_SIZE_LIMIT; a cut-off upload is a file too large.
			return fail(413, { action: 'import', code: 'import_too_large' as const });
		}
		const file = form.get('file');
		if (!(file instanceof File) || file.size === 0)
			return fail(400, { action: 'import', code: 'bad_request' as const });
		if (file.size > config().importLimitBytes)
			return fail(413, { action: 'import', code: 'import_too_large' as const });
		const text = await file.text();
		const api = await caller(event);
		return actionResult('import', async () => ({
			action: 'import' as const,
			report: await api.chats.import({ text })
		}));
	},
	removePasskey: async (event) => {
		const id = text(await event.request.formData(), 'passkey');
		const api = await caller(event);
		const result = await actionResult('removePasskey', () => api.passkeys.remove({ id }));
		if ('id' in result) {
			setFlash(event.cookies, '/me', 'passkeyRemoved');
			redirect(303, '/me#passkeys');
		}
		return result;
	}
};
