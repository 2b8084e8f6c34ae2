import { z } from 'zod';
import { chatIdParam, listCursorParam, messageIdValue } from '../../api-input';
import * as chats from '../../chat/chats';
import { importChats } from '../../chat/import';
import * as versions from '../../chat/versions';
import { router, userProcedure } from '../init';

export const chatsRouter = router({
	list: userProcedure
		.input(
			z
				.object({
					query: z.string().max(200).optional(),
					limit: z.number().int().min(1).max(200).optional(),
					after: listCursorParam.optional()
				})
				.optional()
		)
		.query(({ ctx, input }) => chats.listChats(ctx.user.id, input ?? {})),
	get: userProcedure
		.input(
			z.object({
				id: chatIdParam,
				before: z.number().int().positive().optional(),
				limit: z.number().int().min(1).max(200).optional()
			})
		)
		.query(({ ctx, input }) => chats.getChat(ctx.user.id, input.id, input)),
	create: userProcedure
		.input(
			z.object({
				promptSlug: z
					.string()
					.regex(/^[a-z0-9-]{1,64}$/)
					.nullish(),
				title: z.string().max(200).optional(),
				/** Open the person's untouched chat of the same kind instead of adding another. */
				reuseEmpty: z.boolean().optional()
			})
		)
		.mutation(({ ctx, input }) => chats.createChat(ctx.user.id, { ...input, locale: ctx.locale })),
	rename: userProcedure
		.input(z.object({ id: chatIdParam, title: z.string().trim().min(1).max(200) }))
		.mutation(({ ctx, input }) => chats.renameChat(ctx.user.id, input.id, input.title)),
	delete: userProcedure
		.input(z.object({ id: chatIdParam }))
		.mutation(({ ctx, input }) => chats.deleteChat(ctx.user.id, input.id)),
	clear: userProcedure
		.input(z.object({ id: chatIdParam }))
		.mutation(({ ctx, input }) => chats.clearChat(ctx.user.id, input.id)),
	/** Shows another version of a message (and the conversation that followed it). */
	showVersion: userProcedure
		.input(z.object({ id: chatIdParam, messageId: messageIdValue }))
		.mutation(({ ctx, input }) => versions.showVersion(ctx.user.id, input.id, input.messageId)),
	/** Deletes a message and what followed it; another version of its turn takes its place. */
	deleteMessage: userProcedure
		.input(z.object({ id: chatIdParam, messageId: messageIdValue }))
		.mutation(({ ctx, input }) => versions.deleteMessage(ctx.user.id, input.id, input.messageId)),
	deleteAll: userProcedure.mutation(({ ctx }) => chats.deleteAllChats(ctx.user.id)),
	export: userProcedure.query(({ ctx }) => chats.exportChats(ctx.user.id)),
	/** A ChatGPT `conversations.json` or an OreAI export, as text; all or nothing. */
	import: userProcedure
		.input(z.object({ text: z.string() }))
		.mutation(({ ctx, input }) => importChats(ctx.user.id, input.text))
});
