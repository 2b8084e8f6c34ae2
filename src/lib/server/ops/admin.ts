import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { chat, message, user } from '../db/schema';
import type * as schema from '../db/schema';

/**
 * What the operator's CLI (`npm run admin`) does, as plain functions over a database handle.
 * Kept free of the app's settings and aliases so a script can run it outside SvelteKit.
 */
type Db = MySql2Database<typeof schema>;

/** When a user was last here: the last visit with their cookie, else when they arrived. */
const lastActive = sql<Date>`COALESCE(${user.lastSeenAt}, ${user.createdAt})`;

export async function recentUsers(db: Db, limit: number) {
	const calls = db
		.select({
			userId: message.userId,
			calls: sql<number>`COUNT(*)`.as('calls'),
			tokens: sql<number>`COALESCE(SUM(${message.promptTokens}), 0) + COALESCE(SUM(${message.completionTokens}), 0)`.as(
				'tokens'
			)
		})
		.from(message)
		.where(eq(message.role, 'assistant'))
		.groupBy(message.userId)
		.as('calls');
	const rows = await db
		.select({
			id: user.id,
			createdAt: user.createdAt,
			lastSeenAt: user.lastSeenAt,
			quotaUsed: user.quotaUsed,
			quotaLimit: user.quotaLimit,
			chats: sql<number>`(SELECT COUNT(*) FROM ${chat} WHERE ${chat.userId} = ${user.id})`,
			replies: sql<number>`COALESCE(${calls.calls}, 0)`,
			tokens: sql<number>`COALESCE(${calls.tokens}, 0)`
		})
		.from(user)
		.leftJoin(calls, eq(calls.userId, user.id))
		.orderBy(desc(lastActive), desc(user.id))
		.limit(limit);
	return rows.map((r) => ({ ...r, chats: Number(r.chats), replies: Number(r.replies), tokens: Number(r.tokens) }));
}

export type GrantTarget = { userId: string } | { all: true };

/** Raises the quota limit by `amount` calls; answers how many users got it. */
export async function grantQuota(db: Db, amount: number, target: GrantTarget) {
	if (!Number.isInteger(amount) || amount <= 0) throw new Error('amount must be a positive whole number');
	const set = { quotaLimit: sql`${user.quotaLimit} + ${amount}` };
	const [res] =
		'userId' in target
			? await db.update(user).set(set).where(eq(user.id, target.userId))
			: await db
					.update(user)
					.set(set)
					.where(sql`1 = 1`);
	return (res as { affectedRows: number }).affectedRows;
}

/**
 * Model calls and tokens per UTC day over the last `days` days (today included), newest
 * first. A call is a reply row; replies replaced by "regenerate" are gone, so this counts
 * the calls whose answers are kept (the user's quota_used counts every call).
 */
export async function usagePerDay(db: Db, days: number, userId?: string) {
	const since = new Date(Date.now() - (days - 1) * 86_400_000);
	since.setUTCHours(0, 0, 0, 0);
	const day = sql<string>`DATE_FORMAT(${message.createdAt}, '%Y-%m-%d')`;
	const rows = await db
		.select({
			day,
			calls: sql<number>`COUNT(*)`,
			users: sql<number>`COUNT(DISTINCT ${message.userId})`,
			promptTokens: sql<number>`COALESCE(SUM(${message.promptTokens}), 0)`,
			completionTokens: sql<number>`COALESCE(SUM(${message.completionTokens}), 0)`
		})
		.from(message)
		.where(
			and(eq(message.role, 'assistant'), gte(message.createdAt, since), userId ? eq(message.userId, userId) : undefined)
		)
		.groupBy(day)
		.orderBy(desc(day));
	return rows.map((r) => ({
		day: r.day,
		calls: Number(r.calls),
		users: Number(r.users),
		promptTokens: Number(r.promptTokens),
		completionTokens: Number(r.completionTokens)
	}));
}

const unseenSince = (days: number) => lt(lastActive, new Date(Date.now() - days * 86_400_000));

export async function countUnseenUsers(db: Db, days: number) {
	const [row] = await db
		.select({ n: sql<number>`COUNT(*)` })
		.from(user)
		.where(unseenSince(days));
	return Number(row.n);
}

/** Deletes users not seen for `days` days; their sessions, chats and messages go with them. */
export async function deleteUnseenUsers(db: Db, days: number) {
	if (!Number.isInteger(days) || days < 1) throw new Error('days must be a whole number of at least 1');
	const [res] = await db.delete(user).where(unseenSince(days));
	return (res as { affectedRows: number }).affectedRows;
}
