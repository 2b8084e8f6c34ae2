import { z } from 'zod';
import { DomainError } from './errors';

export const chatIdParam = z.string().regex(/^[0-9a-z]{1,24}$/, 'Invalid chat id');
/** A position in the chat list, as `listCursor` in the chat service writes it. */
export const listCursorParam = z.string().regex(/^\d{1,15}_[0-9a-z]{1,24}$/, 'Invalid cursor');
export const messageIdParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A message id in a JSON body: a number, or the string the stream's `start` event carries. */
export const messageIdValue = z.union([
	z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
	z
		.string()
		.regex(/^[1-9]\d{0,14}$/)
		.transform(Number)
]);

export const sendBody = z.union([
	z.object({ content: z.string().max(10_000_000), editOf: messageIdValue.optional() }).strict(),
	z.object({ regenerate: z.literal(true), messageId: messageIdValue.optional() }).strict()
]);

/** Route params that are not ids cannot name a chat of this user: same answer as missing. */
export function parseIds(params: { id?: string; messageId?: string }) {
	const id = chatIdParam.safeParse(params.id);
	const messageId = params.messageId === undefined ? undefined : messageIdParam.safeParse(params.messageId);
	if (!id.success || (messageId && !messageId.success)) throw new DomainError('not_found', 'No such chat or message');
	return { chatId: id.data, messageId: messageId?.data };
}
