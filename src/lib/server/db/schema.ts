import { sql } from 'drizzle-orm';
import {
	boolean,
	customType,
	bigint,
	datetime,
	index,
	int,
	longtext,
	mysqlEnum,
	mysqlTable,
	text,
	uniqueIndex,
	varchar
} from 'drizzle-orm/mysql-core';
import type { Locale } from '../../i18n/locales';
import { themes } from '../../theme';

/** Model parameters a prompt sets and a chat copies at creation (seeds and history use this type). */
export interface ModelSettings {
	model?: string;
	temperature?: number;
	top_p?: number;
	presence_penalty?: number;
	frequency_penalty?: number;
	max_tokens?: number;
}

// MariaDB stores JSON as LONGTEXT and mysql2 hands it back as a string: parse either way.
const settingsJson = customType<{ data: ModelSettings; driverData: string }>({
	dataType: () => 'json',
	toDriver: (value) => JSON.stringify(value),
	fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : (value as ModelSettings))
});

const now = (name: string) =>
	datetime(name, { mode: 'date', fsp: 3 })
		.notNull()
		.default(sql`CURRENT_TIMESTAMP(3)`);

export const user = mysqlTable(
	'user',
	{
		id: varchar('id', { length: 40 }).primaryKey(),
		quotaUsed: int('quota_used').notNull().default(0),
		quotaLimit: int('quota_limit').notNull(),
		locale: varchar('locale', { length: 8 }).$type<Locale>(),
		theme: mysqlEnum('theme', themes).notNull().default('system'),
		createdAt: now('created_at'),
		// NULL until the visitor comes back with the session cookie; then bumped at most once
		// a minute. Users still NULL after a while never kept the cookie and are swept.
		lastSeenAt: datetime('last_seen_at', { mode: 'date', fsp: 3 })
	},
	(t) => [index('user_sweep_idx').on(t.lastSeenAt, t.createdAt)]
);

export const session = mysqlTable(
	'session',
	{
		id: varchar('id', { length: 255 }).primaryKey(),
		userId: varchar('user_id', { length: 40 })
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		expiresAt: datetime('expires_at', { mode: 'date' }).notNull(),
		// Shown on /me so a person can tell their devices apart and sign one out.
		userAgent: varchar('user_agent', { length: 255 }),
		createdAt: now('created_at'),
		lastSeenAt: datetime('last_seen_at', { mode: 'date', fsp: 3 })
	},
	(t) => [index('session_user_idx').on(t.userId)]
);

/**
 * A one-time way into an account from another device: a short code to type and a long
 * token for the QR link. Only SHA-256 hashes are stored; used or expired rows are dead.
 */
export const deviceLink = mysqlTable(
	'device_link',
	{
		id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
		userId: varchar('user_id', { length: 40 })
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		codeHash: varchar('code_hash', { length: 64 }).notNull(),
		tokenHash: varchar('token_hash', { length: 64 }).notNull(),
		expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
		usedAt: datetime('used_at', { mode: 'date', fsp: 3 }),
		createdAt: now('created_at')
	},
	(t) => [
		uniqueIndex('device_link_code_uq').on(t.codeHash),
		uniqueIndex('device_link_token_uq').on(t.tokenHash),
		index('device_link_user_idx').on(t.userId)
	]
);

/** WebAuthn credentials (passkeys) that sign in to an account. */
export const passkey = mysqlTable(
	'passkey',
	{
		// base64url credential id as the authenticator gives it.
		id: varchar('id', { length: 255 }).primaryKey(),
		userId: varchar('user_id', { length: 40 })
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		// base64url COSE public key.
		publicKey: text('public_key').notNull(),
		counter: bigint('counter', { mode: 'number', unsigned: true }).notNull().default(0),
		transports: varchar('transports', { length: 255 }),
		name: varchar('name', { length: 100 }).notNull(),
		createdAt: now('created_at'),
		lastUsedAt: datetime('last_used_at', { mode: 'date', fsp: 3 })
	},
	(t) => [index('passkey_user_idx').on(t.userId)]
);

/** Challenges handed to the browser for one WebAuthn ceremony; single use, short-lived. */
export const webauthnChallenge = mysqlTable(
	'webauthn_challenge',
	{
		challenge: varchar('challenge', { length: 128 }).primaryKey(),
		// The session that asked: a challenge only counts in the browser it was given to.
		sessionId: varchar('session_id', { length: 255 }).notNull(),
		purpose: mysqlEnum('purpose', ['register', 'authenticate']).notNull(),
		expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull()
	},
	(t) => [index('webauthn_challenge_expiry_idx').on(t.expiresAt)]
);

export const prompt = mysqlTable(
	'prompt',
	{
		id: int('id').autoincrement().primaryKey(),
		slug: varchar('slug', { length: 64 }).notNull(),
		locale: varchar('locale', { length: 8 }).$type<Locale>().notNull(),
		category: varchar('category', { length: 32 }).notNull(),
		icon: varchar('icon', { length: 16 }).notNull().default(''),
		title: varchar('title', { length: 200 }).notNull(),
		description: text('description').notNull(),
		systemPrompt: text('system_prompt').notNull(),
		openingMessage: text('opening_message').notNull(),
		settings: settingsJson('settings').notNull(),
		sort: int('sort').notNull().default(0)
	},
	(t) => [uniqueIndex('prompt_slug_locale_uq').on(t.slug, t.locale)]
);

export const chat = mysqlTable(
	'chat',
	{
		id: varchar('id', { length: 24 }).primaryKey(),
		userId: varchar('user_id', { length: 40 })
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		promptSlug: varchar('prompt_slug', { length: 64 }),
		title: varchar('title', { length: 200 }).notNull(),
		systemPrompt: text('system_prompt').notNull(),
		settings: settingsJson('settings').notNull(),
		createdAt: now('created_at'),
		updatedAt: now('updated_at')
	},
	(t) => [index('chat_user_recent_idx').on(t.userId, t.updatedAt)]
);

export const messageStatus = ['complete', 'streaming', 'stopped', 'error'] as const;
export type MessageStatus = (typeof messageStatus)[number];

export const message = mysqlTable(
	'message',
	{
		// Auto-increment keeps "messages of a chat in order" a plain index range scan.
		id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
		chatId: varchar('chat_id', { length: 24 })
			.notNull()
			.references(() => chat.id, { onDelete: 'cascade' }),
		// Denormalised owner so every message query can carry the owner in its WHERE clause.
		userId: varchar('user_id', { length: 40 }).notNull(),
		role: mysqlEnum('role', ['user', 'assistant']).notNull(),
		// LONGTEXT utf8mb4: up to 4 GB, emoji included.
		content: longtext('content').notNull(),
		status: mysqlEnum('status', messageStatus).notNull().default('complete'),
		errorCode: varchar('error_code', { length: 64 }),
		promptTokens: int('prompt_tokens'),
		completionTokens: int('completion_tokens'),
		// Tokens the content takes in a request (o200k count plus per-message overhead), counted
		// once when the row is written or finalised; null for rows not counted yet.
		tokens: int('tokens'),
		createdAt: now('created_at'),
		// Versions: messages form a tree. A message follows its parent; an edit or a
		// regenerate adds a sibling (`version_of` = the turn's first version) instead of
		// replacing anything. `active` marks the branch on show, so the shown conversation
		// (and what goes upstream) stays a plain ordered range: a child is always newer
		// than its parent. NULL parent and version_of on rows from before versions existed.
		parentId: bigint('parent_id', { mode: 'number', unsigned: true }),
		versionOf: bigint('version_of', { mode: 'number', unsigned: true }),
		active: boolean('active').notNull().default(true),
		// The process generating a `streaming` reply: with Redis, others mark the reply
		// interrupted only once this process's lease has expired.
		workerId: varchar('worker_id', { length: 64 })
	},
	(t) => [
		index('message_chat_order_idx').on(t.chatId, t.id),
		index('message_user_idx').on(t.userId),
		index('message_chat_path_idx').on(t.chatId, t.active, t.id),
		index('message_chat_version_idx').on(t.chatId, t.versionOf),
		index('message_streaming_idx').on(t.status, t.workerId)
	]
);

/**
 * A read-only snapshot of a chat behind a public link. The messages are copied at share
 * time, so later changes to the chat do not show; deleting the chat removes its links.
 */
export const share = mysqlTable(
	'share',
	{
		id: varchar('id', { length: 24 }).primaryKey(),
		userId: varchar('user_id', { length: 40 })
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		chatId: varchar('chat_id', { length: 24 })
			.notNull()
			.references(() => chat.id, { onDelete: 'cascade' }),
		title: varchar('title', { length: 200 }).notNull(),
		systemPrompt: text('system_prompt').notNull(),
		settings: settingsJson('settings').notNull(),
		// JSON array of { role, content }, in order.
		messages: longtext('messages').notNull(),
		createdAt: now('created_at')
	},
	(t) => [index('share_user_idx').on(t.userId, t.createdAt), index('share_chat_idx').on(t.chatId)]
);

export type User = typeof user.$inferSelect;
export type Chat = typeof chat.$inferSelect;
export type Message = typeof message.$inferSelect;
export type Prompt = typeof prompt.$inferSelect;
