import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import * as passkeys from '../../passkeys';
import { router, userProcedure } from '../init';

const b64url = (max: number) =>
	z
		.string()
		.regex(/^[\w-]*$/)
		.max(max);

/** The browser's answers, as @simplewebauthn/browser sends them; the library checks the rest. */
const registrationResponse = z.looseObject({
	id: b64url(1024),
	rawId: b64url(1024),
	type: z.literal('public-key'),
	response: z.looseObject({ clientDataJSON: b64url(10_000), attestationObject: b64url(100_000) }),
	clientExtensionResults: z.record(z.string(), z.unknown()).default({})
});

const authenticationResponse = z.looseObject({
	id: b64url(1024),
	rawId: b64url(1024),
	type: z.literal('public-key'),
	response: z.looseObject({
		clientDataJSON: b64url(10_000),
		authenticatorData: b64url(10_000),
		signature: b64url(10_000),
		userHandle: b64url(1024).optional()
	}),
	clientExtensionResults: z.record(z.string(), z.unknown()).default({})
});

export const passkeysRouter = router({
	list: userProcedure.query(({ ctx }) => passkeys.listPasskeys(ctx.user.id)),
	registrationOptions: userProcedure.mutation(({ ctx }) => passkeys.registrationOptions(ctx.event)),
	register: userProcedure
		.input(registrationResponse)
		.mutation(({ ctx, input }) => passkeys.register(ctx.event, input as RegistrationResponseJSON)),
	authenticationOptions: userProcedure.mutation(({ ctx }) => passkeys.authenticationOptions(ctx.event)),
	/** Signs this browser in; the session cookie is set on the request's own event. */
	authenticate: userProcedure
		.input(authenticationResponse)
		.mutation(({ ctx, input }) => passkeys.authenticate(ctx.event, input as AuthenticationResponseJSON)),
	remove: userProcedure
		.input(z.object({ id: b64url(1024).min(1) }))
		.mutation(({ ctx, input }) => passkeys.removePasskey(ctx.user.id, input.id))
});
