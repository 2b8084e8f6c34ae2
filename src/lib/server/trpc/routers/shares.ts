import { z } from 'zod';
import { chatIdParam } from '../../api-input';
import * as shares from '../../chat/shares';
import { router, userProcedure } from '../init';

export const shareIdParam = z.string().regex(/^[0-9a-z]{20}$/, 'Invalid share id');

export const sharesRouter = router({
	create: userProcedure
		.input(z.object({ chatId: chatIdParam }))
		.mutation(({ ctx, input }) => shares.createShare(ctx.user.id, input.chatId)),
	list: userProcedure.query(({ ctx }) => shares.listShares(ctx.user.id)),
	get: userProcedure
		.input(z.object({ id: shareIdParam }))
		.query(({ ctx, input }) => shares.getShare(input.id, ctx.user.id)),
	revoke: userProcedure
		.input(z.object({ id: shareIdParam }))
		.mutation(({ ctx, input }) => shares.revokeShare(ctx.user.id, input.id)),
	continue: userProcedure
		.input(z.object({ id: shareIdParam }))
		.mutation(({ ctx, input }) => shares.continueShare(ctx.user.id, input.id))
});
