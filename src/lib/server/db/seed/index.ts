import { sql } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import type { Db } from '..';
import type { Locale } from '$lib/i18n/locales';
import { chat, message, prompt } from '../schema';
import { messageTokens } from '../../llm/tokens';
import { PROMPTS, SAMPLE_CHATS } from './data';

export const newChatId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);

/** The pool or a transaction opened on it: seeding runs in either. */
type Tx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** Upserts the prompt library by (slug, locale): a restart updates texts, never duplicates. */
export async function seedPrompts(db: Db) {
	const rows = PROMPTS.flatMap((p, i) =>
		(Object.keys(p.text) as Locale[]).map((locale) => ({
			slug: p.slug,
			locale,
			category: p.category,
			icon: p.icon,
			title: p.text[locale].title,
			description: p.text[locale].description,
			systemPrompt: p.text[locale].systemPrompt,
			openingMessage: p.text[locale].opening,
			settings: p.settings,
			sort: i
		}))
	);
	await db
		.insert(prompt)
		.values(rows)
		.onDuplicateKeyUpdate({
			set: {
				category: sql`VALUES(category)`,
				icon: sql`VALUES(icon)`,
				title: sql`VALUES(title)`,
				description: sql`VALUES(description)`,
				systemPrompt: sql`VALUES(system_prompt)`,
				openingMessage: sql`VALUES(opening_message)`,
				settings: sql`VALUES(settings)`,
				sort: sql`VALUES(sort)`
			}
		});
}

/** Copies the sample conversations, in the visitor's language, into a new user's history. */
export async function giveSampleChats(tx: Tx, userId: string, locale: Locale) {
	const base = Date.now() - SAMPLE_CHATS.length * 60_000;
	for (const [i, sample] of SAMPLE_CHATS.entries()) {
		const source = sample.promptSlug ? PROMPTS.find((p) => p.slug === sample.promptSlug) : undefined;
		const text = sample.text[locale];
		const chatId = newChatId();
		const at = new Date(base + i * 60_000);
		await tx.insert(chat).values({
			id: chatId,
			userId,
			promptSlug: sample.promptSlug,
			title: text.title,
			systemPrompt: source?.text[locale].systemPrompt ?? '',
			settings: source?.settings ?? {},
			createdAt: at,
			updatedAt: at
		});
		// One at a time: each message follows the one before it, so its answers can get
		// other versions later (ids of a multi-row insert need not be consecutive).
		let parentId: number | null = null;
		for (const m of text.messages) {
			const row: typeof message.$inferInsert = {
				chatId,
				userId,
				role: m.role,
				content: m.content,
				tokens: messageTokens(m.content),
				createdAt: at,
				parentId
			};
			const [res] = await tx.insert(message).values(row);
			parentId = res.insertId;
		}
	}
}
