import { z } from 'zod';
import * as devices from '../../devices';
import { router, userProcedure } from '../init';

export const devicesRouter = router({
	list: userProcedure.query(({ ctx }) => devices.listDevices(ctx.user.id, ctx.event.locals.session?.id ?? null)),
	/** A one-time code and link for another device; the plain values are only ever in this answer. */
	createLink: userProcedure.mutation(({ ctx }) => devices.createLink(ctx.user.id)),
	/** Signs this browser into the account behind a code or link token (sets the session cookie). */
	redeem: userProcedure
		.input(
			z.union([z.object({ code: z.string().max(40) }).strict(), z.object({ token: z.string().max(100) }).strict()])
		)
		.mutation(({ ctx, input }) => devices.redeemLink(ctx.event, input)),
	signOut: userProcedure
		.input(z.object({ id: z.string().regex(/^[0-9a-f]{20}$/) }))
		.mutation(({ ctx, input }) => devices.signOutDevice(ctx.user.id, ctx.event.locals.session?.id ?? null, input.id))
});
