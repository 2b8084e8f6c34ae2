import { sql } from 'drizzle-orm';
import {
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

/** Model parameters a prompt sets and a chat copies at creation. */
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
		locale: varchar('locale', { length: 8 }),
		theme: mysqlEnum('theme', ['system', 'light', 'dark']).notNull().default('system'),
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
		expiresAt: datetime('expires_at', { mode: 'date' }).notNull()
	},
	(t) => [index('session_user_idx').on(t.userId)]
);

export const prompt = mysqlTable(
	'prompt',
	{
		id: int('id').autoincrement().primaryKey(),
		slug: varchar('slug', { length: 64 }).notNull(),
		locale: varchar('locale', { length: 8 }).notNull(),
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
		createdAt: now('created_at')
	},
	(t) => [index('message_chat_order_idx').on(t.chatId, t.id), index('message_user_idx').on(t.userId)]
);

export type User = typeof user.$inferSelect;
export type Chat = typeof chat.$inferSelect;
export type Message = typeof message.$inferSelect;
export type Prompt = typeof prompt.$inferSelect;
