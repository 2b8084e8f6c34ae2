import { and, asc, desc, eq, ne } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import { db } from '../db';
import { message, share, type ModelSettings } from '../db/schema';
import { notFound } from '../errors';
import { findChat } from './chats';
import { insertChatCopy } from './copy';

/**
 * Shared chats: a read-only snapshot of a chat at one moment, public to whoever has the
 * link. The owner lists and revokes them; anyone can copy one into their own account.
 */

/** 20 characters of 36: unguessable in practice, short enough for a link. */
export const newShareId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 20);

export interface SharedMessage {
	role: 'user' | 'assistant';
	content: string;
}

export async function createShare(userId: string, chatId: string) {
	const source = await findChat(userId, chatId);
	// The branch on show, without a reply still being written: the snapshot holds finished turns only.
	const rows = await db
		.select({ role: message.role, content: message.content })
		.from(message)
		.where(
			and(
				eq(message.chatId, chatId),
				eq(message.userId, userId),
				eq(message.active, true),
				ne(message.status, 'streaming')
			)
		)
		.orderBy(asc(message.id));
	const id = newShareId();
	await db.insert(share).values({
		id,
		userId,
		chatId,
		title: source.title,
		systemPrompt: source.systemPrompt,
		settings: source.settings,
		messages: JSON.stringify(rows)
	});
	return { id, messages: rows.length };
}

/** Anyone's view of a share: no owner, no source chat id. */
export async function getShare(shareId: string, viewerId?: string) {
	const [row] = await db.select().from(share).where(eq(share.id, shareId)).limit(1);
	if (!row) throw notFound('shared chat');
	return {
		id: row.id,
		title: row.title,
		createdAt: row.createdAt,
		messages: JSON.parse(row.messages) as SharedMessage[],
		mine: viewerId === row.userId
	};
}

export async function listShares(userId: string) {
	return db
		.select({ id: share.id, chatId: share.chatId, title: share.title, createdAt: share.createdAt })
		.from(share)
		.where(eq(share.userId, userId))
		.orderBy(desc(share.createdAt))
		.limit(200);
}

/** Revoked links answer 404 at once: the snapshot is deleted. */
export async function revokeShare(userId: string, shareId: string) {
	const [res] = await db.delete(share).where(and(eq(share.id, shareId), eq(share.userId, userId)));
	if ((res as { affectedRows: number }).affectedRows === 0) throw notFound('shared chat');
	return { id: shareId };
}

/** "Continue this chat": the snapshot becomes a new chat of the visitor's own. */
export async function continueShare(userId: string, shareId: string) {
	const [row] = await db.select().from(share).where(eq(share.id, shareId)).limit(1);
	if (!row) throw notFound('shared chat');
	const messages = JSON.parse(row.messages) as SharedMessage[];
	const id = await db.transaction((tx) =>
		insertChatCopy(tx, userId, {
			title: row.title,
			systemPrompt: row.systemPrompt,
			settings: row.settings as ModelSettings,
			messages
		})
	);
	return { id };
}
