import { notFound } from '../errors';
import { findMessage } from './messages';
import { registry } from './registry';

/** Stops a reply in flight; the partial text stays with status `stopped`. */
export async function stopReply(userId: string, chatId: string, messageId: number) {
	await registry().stop(userId, chatId, messageId, 'stopped');
	const row = await findMessage(userId, chatId, messageId);
	if (!row) throw notFound('message');
	return { id: row.id, status: row.status };
}

/** For the stream endpoint: the reply in flight to follow, or the stored message to replay. */
export async function replayTarget(userId: string, chatId: string, messageId: number) {
	const live = await registry().follow(userId, chatId, messageId);
	if (live) return { live };
	const stored = await findMessage(userId, chatId, messageId, 'assistant');
	if (!stored) throw notFound('message');
	return { stored };
}
