import { eq } from 'drizzle-orm';
import { config } from './config';
import { db } from './db';
import { user } from './db/schema';
import { notFound } from './errors';
import type { Locale } from '$lib/i18n/locales';
import type { Theme } from '$lib/theme';

/** Sends the person has left: never below zero, also after an operator lowered their limit. */
export const quotaLeft = (u: { quotaLimit: number; quotaUsed: number }) => Math.max(0, u.quotaLimit - u.quotaUsed);

export async function getMe(userId: string) {
	const [row] = await db.select().from(user).where(eq(user.id, userId)).limit(1);
	if (!row) throw notFound('user');
	const c = config();
	return {
		id: row.id,
		quotaUsed: row.quotaUsed,
		quotaLimit: row.quotaLimit,
		quotaLeft: quotaLeft(row),
		locale: row.locale as Locale | null,
		theme: row.theme,
		createdAt: row.createdAt,
		model: c.demoModel ? 'demo' : c.OPENAI_MODEL,
		demoModel: c.demoModel
	};
}

export async function updateMe(userId: string, input: { locale?: Locale | null; theme?: Theme }) {
	await db.update(user).set(input).where(eq(user.id, userId));
	return getMe(userId);
}
