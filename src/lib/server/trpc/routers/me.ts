import { z } from 'zod';
import { locales } from '$lib/i18n/locales';
import { themes } from '$lib/theme';
import * as account from '../../account';
import { router, userProcedure } from '../init';

export const meRouter = router({
	get: userProcedure.query(({ ctx }) => account.getMe(ctx.user.id)),
	update: userProcedure
		.input(
			z
				.object({
					locale: z.enum(locales).nullable().optional(),
					theme: z.enum(themes).optional()
				})
				.refine((v) => v.locale !== undefined || v.theme !== undefined, 'Nothing to update')
		)
		.mutation(({ ctx, input }) => account.updateMe(ctx.user.id, input))
});
