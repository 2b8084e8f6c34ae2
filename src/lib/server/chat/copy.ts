import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { chat, message, type ModelSettings } from '../db/schema';
import { newChatId } from '../db/seed';
import { messageTokens } from '../llm/tokens';

/** A plain connection or a transaction. */
type Tx = Pick<Db, 'insert' | 'execute'>;

export interface ChatCopy {
	title: string;
	systemPrompt?: string;
	settings?: ModelSettings;
	promptSlug?: string | null;
	createdAt?: Date;
	updatedAt?: Date;
	messages: { role: 'user' | 'assistant'; content: string; createdAt?: Date }[];
}

/**
 * Writes a whole chat with its messages for `userId` (continuing a shared chat, importing).
 * Pass a transaction so a batch of copies lands all together or not at all.
 */
export async function insertChatCopy(tx: Tx, userId: string, copy: ChatCopy) {
	const id = newChatId();
	const at = copy.createdAt ?? new Date();
	await tx.insert(chat).values({
		id,
		userId,
		promptSlug: copy.promptSlug ?? null,
		title: copy.title.slice(0, 200),
		systemPrompt: copy.systemPrompt ?? '',
		settings: copy.settings ?? {},
		createdAt: at,
		updatedAt: copy.updatedAt ?? at
	});
	// Rows in order of their auto-increment ids keep the conversation's order; batches bound
	// the statement size for very long chats.
	for (let i = 0; i < copy.messages.length; i += 500) {
		await tx.insert(message).values(
			copy.messages.slice(i, i + 500).map((m) => ({
				chatId: id,
				userId,
				role: m.role,
				content: m.content,
				status: 'complete' as const,
				// Counted once here, like every stored message, so history never recounts it.
				tokens: messageTokens(m.content),
				createdAt: m.createdAt ?? at
			}))
		);
	}
	// Each message follows the one before it (the versions tree), like a conversation typed in.
	await tx.execute(sql`
		UPDATE ${message} m
		JOIN (SELECT id, LAG(id) OVER (ORDER BY id) AS prev FROM ${message} WHERE chat_id = ${id} AND user_id = ${userId}) p
			ON p.id = m.id
		SET m.parent_id = p.prev
		WHERE m.chat_id = ${id} AND m.user_id = ${userId}`);
	return id;
}
