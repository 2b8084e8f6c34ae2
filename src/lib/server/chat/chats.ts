import {
	and,
	asc,
	desc,
	eq,
	getTableColumns,
	inArray,
	isNotNull,
	isNull,
	like,
	lt,
	notExists,
	or,
	sql
} from 'drizzle-orm';
import { db, type Db } from '../db';
import { readTemplate } from '../db/batch';
import { chat, message, prompt } from '../db/schema';
import { newChatId } from '../db/seed';
import { DomainError, notFound } from '../errors';
import { PAGE_SIZE } from './paging';
import type { Locale } from '$lib/i18n/locales';
import { plainText } from '$lib/text';
import {
	chatsMentioning,
	deleteChatMessages,
	exportMessages,
	hasStreamingReply,
	chatsWithMessages,
	lastMessagePreview,
	pageMessages
} from './messages';
import { versionsOf } from './versions';
import { settlePending } from './pending-ends';
import { takeChatCreation } from '../limits';

/** Chat operations. Every query carries the owner; "not yours" and "missing" are one NOT_FOUND. */

export interface ChatSummary {
	id: string;
	title: string;
	updatedAt: Date;
	preview: string;
}

/** Position in the list: the last chat shown, as `<updatedAt ms>_<id>`. */
export const listCursor = (c: { updatedAt: Date; id: string }) => `${c.updatedAt.getTime()}_${c.id}`;

function parseCursor(cursor: string) {
	const [ms, id] = cursor.split('_');
	const at = new Date(Number(ms));
	if (!id || Number.isNaN(at.getTime())) throw new DomainError('bad_request', 'Invalid cursor');
	return { at, id };
}

export async function listChats(
	userId: string,
	opts: { query?: string; limit?: number; after?: string } = {}
): Promise<ChatSummary[]> {
	const limit = opts.limit ?? PAGE_SIZE;
	const q = opts.query?.trim();
	let where = eq(chat.userId, userId);
	if (opts.after) {
		const { at, id } = parseCursor(opts.after);
		where = and(where, or(lt(chat.updatedAt, at), and(eq(chat.updatedAt, at), lt(chat.id, id))))!;
	}
	if (q) {
		const pattern = `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
		where = and(where, or(like(chat.title, pattern), inArray(chat.id, chatsMentioning(userId, pattern))))!;
	}
	const rows = await db
		.select({
			id: chat.id,
			title: chat.title,
			updatedAt: chat.updatedAt,
			preview: lastMessagePreview(userId, chat.id)
		})
		.from(chat)
		.where(where)
		.orderBy(desc(chat.updatedAt), desc(chat.id))
		.limit(limit);
	return rows.map((r) => ({ ...r, preview: [...plainText(r.preview ?? '')].slice(0, 160).join('').trimEnd() }));
}

/** The chat `chatId` of the user `userId`: the condition of the chat reads built once below. */
const ownedChat = and(eq(chat.id, sql.placeholder('chatId')), eq(chat.userId, sql.placeholder('userId')));

/** The chat as most actions read it: built once (see `newestActive` in messages.ts). */
const chatOfUserSelect = db.select().from(chat).where(ownedChat).limit(1);
const chatOfUser = chatOfUserSelect.prepare();
/** The same read, for `readsInOneTrip`: every send reads it with the chat's history. */
export const chatRead = readTemplate<typeof chat, { userId: string; chatId: string }>(chat, chatOfUserSelect);

export async function findChat(userId: string, chatId: string) {
	const [row] = await chatOfUser.execute({ chatId, userId });
	if (!row) throw notFound();
	return row;
}

/**
 * The chat as its page reads it: with whether any of its turns has other versions (through
 * the chat's version index), so that the versions are looked up only in chats that have some.
 */
const chatOfUserForPage = db
	.select({
		...getTableColumns(chat),
		// Qualified by hand: in a one-table select drizzle leaves column names bare.
		branched: sql<number>`EXISTS (SELECT 1 FROM ${message} v WHERE v.chat_id = ${chat}.id AND v.version_of IS NOT NULL)`
	})
	.from(chat)
	.where(ownedChat)
	.limit(1)
	.prepare();

export async function getChat(userId: string, chatId: string, opts: { before?: number; limit?: number } = {}) {
	// Both carry the owner in their WHERE clause: the page is read beside the chat, not after it.
	const [[found], page] = await Promise.all([
		chatOfUserForPage.execute({ chatId, userId }),
		pageMessages(userId, chatId, opts)
	]);
	if (!found) throw notFound();
	const { branched, ...row } = found;
	let opening: string | null = null;
	if (row.promptSlug && page.messages.length === 0 && !opts.before) {
		opening = await openingFor(row.promptSlug, row.systemPrompt);
	}
	const versions = Number(branched) ? await versionsOf(userId, chatId, page.messages) : {};
	return { chat: row, ...page, versions, opening };
}

async function openingFor(slug: string, systemPrompt: string) {
	const rows = await db
		.select({ opening: prompt.openingMessage, systemPrompt: prompt.systemPrompt })
		.from(prompt)
		.where(eq(prompt.slug, slug));
	// The chat copied one locale's system prompt; offer that locale's opening message.
	return (rows.find((r) => r.systemPrompt === systemPrompt) ?? rows[0])?.opening ?? null;
}

export async function createChat(
	userId: string,
	input: { promptSlug?: string | null; locale: Locale; title?: string; reuseEmpty?: boolean }
) {
	if (input.reuseEmpty && !input.title?.trim()) {
		const reused = await emptyChatFrom(userId, input.promptSlug ?? null);
		if (reused) return reused;
	}
	await takeChatCreation(userId);
	const id = newChatId();
	let values: typeof chat.$inferInsert = {
		id,
		userId,
		title: input.title?.trim() || '',
		systemPrompt: '',
		settings: {}
	};
	if (input.promptSlug) {
		const rows = await db.select().from(prompt).where(eq(prompt.slug, input.promptSlug));
		const p = rows.find((r) => r.locale === input.locale) ?? rows[0];
		if (!p) throw notFound('prompt');
		values = {
			...values,
			promptSlug: p.slug,
			title: values.title || p.title,
			systemPrompt: p.systemPrompt,
			settings: p.settings
		};
	}
	await db.insert(chat).values(values);
	return findChat(userId, id);
}

/**
 * The person's untouched chat from this prompt (or blank), if one is lying around: tapping
 * "New chat" again and again opens it instead of piling up empty chats. It moves to the top.
 */
async function emptyChatFrom(userId: string, promptSlug: string | null) {
	const [row] = await db
		.select()
		.from(chat)
		.leftJoin(prompt, and(eq(prompt.slug, chat.promptSlug), eq(prompt.title, chat.title)))
		.where(
			and(
				eq(chat.userId, userId),
				promptSlug
					? and(eq(chat.promptSlug, promptSlug), isNotNull(prompt.id))
					: and(isNull(chat.promptSlug), eq(chat.title, '')),
				notExists(chatsWithMessages(userId, chat.id))
			)
		)
		.orderBy(desc(chat.updatedAt))
		.limit(1);
	if (!row) return null;
	await touchChat(db, userId, row.chat.id);
	return findChat(userId, row.chat.id);
}

export async function renameChat(userId: string, chatId: string, title: string) {
	const clean = title.trim();
	if (!clean) throw new DomainError('bad_request', 'Title is empty');
	const [res] = await db
		.update(chat)
		.set({ title: clean })
		.where(and(eq(chat.id, chatId), eq(chat.userId, userId)));
	if ((res as { affectedRows: number }).affectedRows === 0) throw notFound();
	return findChat(userId, chatId);
}

export async function deleteChat(userId: string, chatId: string) {
	const [res] = await db.delete(chat).where(and(eq(chat.id, chatId), eq(chat.userId, userId)));
	if ((res as { affectedRows: number }).affectedRows === 0) throw notFound();
	return { id: chatId };
}

export async function clearChat(userId: string, chatId: string) {
	await findChat(userId, chatId);
	await assertIdle(userId, chatId);
	await deleteChatMessages(userId, chatId);
	return { id: chatId };
}

/** A chat with a reply still streaming cannot be cleared or sent to. */
export async function assertIdle(userId: string, chatId: string) {
	await settlePending(userId, chatId);
	if (await hasStreamingReply(userId, chatId)) {
		throw new DomainError('chat_busy', 'A reply is already being generated in this chat');
	}
}

/** The statement that moves the chat to the top of the list; a chat nobody named takes `title`. */
export function chatTouch(
	conn: Pick<Db, 'update'>,
	userId: string,
	chatId: string,
	title?: string | null,
	at: Date = new Date()
) {
	return conn
		.update(chat)
		.set({ updatedAt: at, ...(title ? { title } : {}) })
		.where(and(eq(chat.id, chatId), eq(chat.userId, userId)));
}

export async function touchChat(conn: Pick<Db, 'update'>, userId: string, chatId: string, title?: string | null) {
	await chatTouch(conn, userId, chatId, title);
}

export async function listPrompts(locale: Locale) {
	return db.select().from(prompt).where(eq(prompt.locale, locale)).orderBy(asc(prompt.sort));
}

/** Deletes every chat of the user (messages go with them); refuses while a reply streams. */
export async function deleteAllChats(userId: string) {
	await settlePending(userId);
	if (await hasStreamingReply(userId)) throw new DomainError('chat_busy', 'A reply is still being generated');
	const [res] = await db.delete(chat).where(eq(chat.userId, userId));
	return { deleted: (res as { affectedRows: number }).affectedRows };
}

/** Everything the user wrote and received, for download. */
export async function exportChats(userId: string) {
	const chats = await db.select().from(chat).where(eq(chat.userId, userId)).orderBy(asc(chat.createdAt));
	const messages = await exportMessages(userId);
	return chats.map((c) => ({
		id: c.id,
		title: c.title,
		systemPrompt: c.systemPrompt,
		settings: c.settings,
		createdAt: c.createdAt,
		messages: messages.filter((m) => m.chatId === c.id).map(({ chatId: _, ...m }) => m)
	}));
}
