import { and, asc, desc, eq, gte, inArray, isNull, like, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { workerId } from '../cluster/worker';
import { db, type Db } from '../db';
import { readTemplate } from '../db/batch';
import { message, type Message, type MessageStatus } from '../db/schema';
import type { ErrorCode } from '../errors';
import { PAGE_SIZE } from './paging';

/**
 * Every query on the message table. Each one carries the owner in its WHERE clause, so a
 * message of another user reads as missing and is never changed.
 */

/** A plain connection or a transaction: inserts that must commit with the quota unit. */
type Conn = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** Where a new message hangs in the chat's tree (see the `message` table). */
export interface Placement {
	parentId: number | null;
	/** The first version of the turn this message is another version of. */
	versionOf?: number | null;
}

export interface MessagePage {
	messages: Message[];
	/** Id to pass as `before` for the next older page, or null when this is the oldest. */
	olderCursor: number | null;
}

/**
 * The branch on show, newest first, optionally before message `before`. Read through the
 * chat's path index, named: given the owner too, MariaDB otherwise intersects the chat and
 * user indexes and sorts every message of the chat (6.8 ms instead of 0.3 at 6,000 messages).
 * Built once (a prepared query; the values are filled in per call): every send and every chat
 * page reads it, and drizzle's building of a statement cost about as much as running it.
 */
const newestSelect = (before: boolean) =>
	db
		.select()
		.from(message, { useIndex: ['message_chat_path_idx'] })
		.where(
			and(
				eq(message.chatId, sql.placeholder('chatId')),
				eq(message.userId, sql.placeholder('userId')),
				eq(message.active, true),
				before ? lt(message.id, sql.placeholder('before')) : undefined
			)
		)
		.orderBy(desc(message.id))
		.limit(sql.placeholder('limit'));
const newest = { all: newestSelect(false).prepare(), before: newestSelect(true).prepare() };

function newestActive(userId: string, chatId: string, before: number | undefined, limit: number) {
	return before
		? newest.before.execute({ userId, chatId, before, limit })
		: newest.all.execute({ userId, chatId, limit });
}

/** Newest page first: the `limit` messages before `before`, returned oldest → newest. */
export async function pageMessages(
	userId: string,
	chatId: string,
	opts: { before?: number; limit?: number } = {}
): Promise<MessagePage> {
	const limit = opts.limit ?? PAGE_SIZE;
	const rows = await newestActive(userId, chatId, opts.before, limit + 1);
	const hasOlder = rows.length > limit;
	const page = rows.slice(0, limit).reverse();
	return { messages: page, olderCursor: hasOlder ? page[0].id : null };
}

/** Most messages of the branch a send reads as the model's history (the window trims it further). */
export const HISTORY_MESSAGES = 600;

/**
 * The newest `limit` messages of the branch on show (before message `before`, when a turn is
 * being redone), oldest first: the context window never needs more.
 */
export async function recentMessages(userId: string, chatId: string, opts: { before?: number; limit?: number } = {}) {
	const rows = await newestActive(userId, chatId, opts.before, opts.limit ?? HISTORY_MESSAGES);
	return rows.reverse();
}

/** The newest messages of the branch on show, newest first, for `readsInOneTrip`. */
export const newestRead = readTemplate<typeof message, { userId: string; chatId: string; limit: number }>(
	message,
	newestSelect(false)
);

/** Whether a reply is still `streaming` in this chat, or in any chat of the user. */
export async function hasStreamingReply(userId: string, chatId?: string) {
	const [row] = await db
		.select({ id: message.id })
		.from(message)
		.where(
			and(
				eq(message.userId, userId),
				chatId === undefined ? undefined : eq(message.chatId, chatId),
				eq(message.status, 'streaming')
			)
		)
		.limit(1);
	return Boolean(row);
}

export async function deleteChatMessages(userId: string, chatId: string) {
	await db.delete(message).where(and(eq(message.chatId, chatId), eq(message.userId, userId)));
}

/** One message of the chat; with `role`, only a message of that role. */
export async function findMessage(userId: string, chatId: string, messageId: number, role?: Message['role']) {
	const [row] = await db
		.select()
		.from(message)
		.where(
			and(
				eq(message.id, messageId),
				eq(message.chatId, chatId),
				eq(message.userId, userId),
				role ? eq(message.role, role) : undefined
			)
		)
		.limit(1);
	return row as Message | undefined;
}

/**
 * The statement storing a person's message (run it, or send it in a batch: db/batch.ts).
 * `tokens` is the message's count (see `messageTokens`), taken once and kept with the row.
 */
export function userMessageInsert(
	conn: Conn,
	userId: string,
	chatId: string,
	content: string,
	tokens: number,
	at: Placement
) {
	return conn.insert(message).values({ chatId, userId, role: 'user', content, status: 'complete', tokens, ...at });
}

export async function insertUserMessage(
	conn: Conn,
	userId: string,
	chatId: string,
	content: string,
	tokens: number,
	at: Placement
) {
	const [res] = await userMessageInsert(conn, userId, chatId, content, tokens, at);
	return res.insertId;
}

/**
 * The statement storing the empty reply row a generation fills in. In a batch, its parent may
 * be `LAST_INSERT_ID()`: the person's message inserted just before it.
 */
export function replyPlaceholderInsert(
	conn: Conn,
	userId: string,
	chatId: string,
	at: Omit<Placement, 'parentId'> & { parentId: Placement['parentId'] | SQL }
) {
	return conn
		.insert(message)
		.values({ chatId, userId, role: 'assistant', content: '', status: 'streaming', workerId, ...at });
}

export async function insertReplyPlaceholder(conn: Conn, userId: string, chatId: string, at: Placement) {
	const [res] = await replyPlaceholderInsert(conn, userId, chatId, at);
	return res.insertId;
}

/**
 * The statement taking message `fromId` and everything after it off the branch on show; the
 * rows stay, reachable as other versions. Every shown message after `fromId` is newer than it.
 */
export function hideFromUpdate(conn: Conn, userId: string, chatId: string, fromId: number) {
	return conn
		.update(message)
		.set({ active: false })
		.where(
			and(eq(message.chatId, chatId), eq(message.userId, userId), eq(message.active, true), gte(message.id, fromId))
		);
}

export async function hideFrom(conn: Conn, userId: string, chatId: string, fromId: number) {
	await hideFromUpdate(conn, userId, chatId, fromId);
}

export async function showMessages(conn: Conn, userId: string, chatId: string, ids: number[]) {
	if (!ids.length) return;
	await conn
		.update(message)
		.set({ active: true })
		.where(and(eq(message.chatId, chatId), eq(message.userId, userId), inArray(message.id, ids)));
}

export async function deleteMessages(conn: Conn, userId: string, chatId: string, ids: number[]) {
	if (!ids.length) return;
	await conn
		.delete(message)
		.where(and(eq(message.chatId, chatId), eq(message.userId, userId), inArray(message.id, ids)));
}

export interface TreeNode {
	id: number;
	parentId: number | null;
	versionOf: number | null;
	active: boolean;
	role: Message['role'];
}

/** The shape of the chat's tree from message `fromId` on (ids and links only, no text). */
export async function treeFrom(conn: Conn, userId: string, chatId: string, fromId: number): Promise<TreeNode[]> {
	return conn
		.select({
			id: message.id,
			parentId: message.parentId,
			versionOf: message.versionOf,
			active: message.active,
			role: message.role
		})
		.from(message)
		.where(and(eq(message.chatId, chatId), eq(message.userId, userId), gte(message.id, fromId)))
		.orderBy(asc(message.id));
}

/** Every version of the turns of `shown`: the messages themselves and their siblings. */
export async function versionSiblings(userId: string, chatId: string, shown: Pick<Message, 'id' | 'versionOf'>[]) {
	if (!shown.length) return [];
	const groups = [...new Set(shown.map((m) => m.versionOf ?? m.id))];
	return db
		.select({ id: message.id, versionOf: message.versionOf })
		.from(message)
		.where(
			and(
				eq(message.chatId, chatId),
				eq(message.userId, userId),
				sql`(${inArray(message.id, groups)} OR ${inArray(message.versionOf, groups)})`
			)
		)
		.orderBy(asc(message.id));
}

/**
 * Appends to many replies in one statement: each gets the text that arrived since its last
 * write, so a long reply never rewrites its text and N live replies cost one round trip.
 */
export async function appendReplyTexts(parts: { userId: string; messageId: number; text: string }[]) {
	if (!parts.length) return;
	const cases = sql.join(
		parts.map((p) => sql`WHEN ${p.messageId} THEN ${p.text}`),
		sql` `
	);
	await db
		.update(message)
		.set({ content: sql`CONCAT(${message.content}, CASE ${message.id} ${cases} ELSE '' END)` })
		.where(or(...parts.map((p) => and(eq(message.id, p.messageId), eq(message.userId, p.userId)))));
}

export interface ReplyOutcome {
	content: string;
	status: MessageStatus;
	errorCode: ErrorCode | null;
	promptTokens: number | null;
	completionTokens: number | null;
	/** The whole text's count for later windows (see `messageTokens`). */
	tokens: number;
}

/** The last write of a reply: its whole text (whatever earlier writes stored) and how it ended. */
export function finishReplyUpdate(userId: string, messageId: number, outcome: ReplyOutcome) {
	return db
		.update(message)
		.set(outcome)
		.where(and(eq(message.id, messageId), eq(message.userId, userId)));
}

/** One reply whose end could not be stored: interrupted, with the text stored before. */
export async function markReplyInterrupted(userId: string, messageId: number) {
	await db
		.update(message)
		.set({ status: 'error', errorCode: 'interrupted' })
		.where(and(eq(message.id, messageId), eq(message.userId, userId), eq(message.status, 'streaming')));
}

/** After a crash, replies left `streaming` can never finish: mark them interrupted. */
export async function markStreamingInterrupted() {
	await db.update(message).set({ status: 'error', errorCode: 'interrupted' }).where(eq(message.status, 'streaming'));
}

/** The processes that own replies still `streaming` (null: written before owners were stored). */
export async function streamingOwners() {
	const rows = await db
		.selectDistinct({ workerId: message.workerId })
		.from(message)
		.where(eq(message.status, 'streaming'));
	return rows.map((r) => r.workerId);
}

/** Marks interrupted the replies still `streaming` whose owning process is gone. */
export async function markOwnersInterrupted(owners: (string | null)[]) {
	const named = owners.filter((o): o is string => o !== null);
	const whose = [
		named.length ? inArray(message.workerId, named) : undefined,
		owners.includes(null) ? isNull(message.workerId) : undefined
	];
	if (!named.length && !owners.includes(null)) return 0;
	const [res] = await db
		.update(message)
		.set({ status: 'error', errorCode: 'interrupted' })
		.where(and(eq(message.status, 'streaming'), or(...whose)));
	return (res as { affectedRows: number }).affectedRows;
}

/** Every message of the user, oldest first, for the data export. */
export async function exportMessages(userId: string) {
	return db
		.select({
			chatId: message.chatId,
			role: message.role,
			content: message.content,
			status: message.status,
			createdAt: message.createdAt
		})
		.from(message)
		.where(eq(message.userId, userId))
		.orderBy(asc(message.id));
}

/**
 * The first 400 characters of the chat's newest shown message (a correlated subquery for the
 * chat list): one step down message_chat_path_idx per listed chat, where grouping every
 * message of the user to find each chat's newest read the whole message index.
 */
export function lastMessagePreview(userId: string, chatId: SQLWrapper) {
	return sql<string | null>`(${db
		.select({ preview: sql`LEFT(${message.content}, 400)` })
		.from(message)
		.where(and(sql`${message.chatId} = ${chatId}`, eq(message.active, true), eq(message.userId, userId)))
		.orderBy(desc(message.id))
		.limit(1)})`;
}

/** Ids of the user's chats with a message matching the LIKE `pattern` (a subquery for search). */
export function chatsMentioning(userId: string, pattern: string) {
	return db
		.select({ id: message.chatId })
		.from(message)
		.where(and(eq(message.userId, userId), like(message.content, pattern)));
}

/** Any message of the chat (a correlated subquery: `NOT EXISTS` finds empty chats). */
export function chatsWithMessages(userId: string, chatId: SQLWrapper) {
	return db
		.select({ one: sql`1` })
		.from(message)
		.where(and(eq(message.userId, userId), sql`${message.chatId} = ${chatId}`));
}
