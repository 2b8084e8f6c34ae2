import { json } from '@sveltejs/kit';
import { httpStatus } from '$lib/server/errors';
import { setFlash } from '$lib/server/flash';
import { errorCodeOf } from '$lib/server/http';
import { caller } from '$lib/server/trpc/router';
import type { RequestHandler } from './$types';

/**
 * The passkey ceremonies for the page's script. They go through the same procedures as
 * tRPC, but here, in a route, so that signing in can set the session cookie.
 */
export const POST: RequestHandler = async (event) => {
	const api = await caller(event);
	try {
		const needsBody = event.params.step === 'register' || event.params.step === 'login';
		const body = needsBody ? await event.request.json() : null;
		switch (event.params.step) {
			case 'register-options':
				return json(await api.passkeys.registrationOptions());
			case 'register':
				return json(await api.passkeys.register(body));
			case 'login-options':
				return json(await api.passkeys.authenticationOptions());
			case 'login': {
				const result = await api.passkeys.authenticate(body);
				if (result.switched) setFlash(event.cookies, '/me', 'linked');
				return json(result);
			}
			default:
				return json({ code: 'not_found', message: 'No such step' }, { status: 404 });
		}
	} catch (e) {
		const code = e instanceof SyntaxError ? 'bad_request' : errorCodeOf(e);
		if (!code) throw e;
		return json({ code, message: code }, { status: httpStatus[code] });
	}
};
