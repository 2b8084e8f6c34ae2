import type { ErrorCode } from '../errors';
import type { Generation, Usage } from './generation';
import { appendReplyText, finishReply } from './messages';
import { touchChat } from './chats';
import { db } from '../db';
import type { MessageStatus } from '../db/schema';
import { messageTokens } from '../llm/tokens';

/** A live reply is stored at least this often. */
const FLUSH_MS = 1000;

/**
 * Keeps one generation's text in the database while it streams: every FLUSH_MS it appends
 * what arrived since the last write.
 */
export function startFlushing(g: Generation) {
	let persisted = 0;
	const flush = async () => {
		if (g.text.length === persisted) return;
		const end = g.text.length;
		await appendReplyText(g.userId, g.messageId, g.text.slice(persisted, end));
		persisted = end;
	};
	let flushing: Promise<void> = Promise.resolve();
	const timer = setInterval(() => {
		// A failed append is retried with the rest at the next tick; the final write stores everything.
		flushing = flushing.then(flush).catch(() => {});
	}, FLUSH_MS);
	return {
		/** Stops the ticks and waits for a write in progress. */
		async stop() {
			clearInterval(timer);
			await flushing;
		}
	};
}

export interface Ending {
	status: MessageStatus;
	errorCode: ErrorCode | null;
	usage: Usage;
}

/** Stores the whole reply and how it ended; the chat moves to the top of the list. */
export async function storeEnding(g: Generation, end: Ending) {
	await finishReply(g.userId, g.messageId, {
		content: g.text,
		status: end.status,
		errorCode: end.errorCode,
		tokens: messageTokens(g.text),
		promptTokens: end.usage?.promptTokens ?? null,
		completionTokens: end.usage?.completionTokens ?? null
	});
	await touchChat(db, g.userId, g.chatId);
}
