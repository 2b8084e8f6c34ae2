import { and, eq } from 'drizzle-orm';
import { config } from '../config';
import { db } from '../db';
import { chat } from '../db/schema';
import { llm, modelName } from '../llm/client';

export const TITLE_INSTRUCTION =
	'Write a short title (at most 6 words) for a conversation that starts with this message, in the language it is written in. Reply with the title only, no quotes or punctuation at the end.';

// A title needs the gist of the first message, not the whole exchange: the call stays a small
// fraction of a reply's cost (about 150 tokens in, at most 16 out).
const TITLE_INPUT_CHARS = 500;
const TITLE_MAX_TOKENS = 16;

/** The first words of a message: the title until (or unless) the model names the chat. */
export function firstWords(text: string) {
	const clean = text.replace(/\s+/g, ' ').trim();
	const cjk = /[\u3040-\u30ff\u3400-\u9fff]/.test(clean);
	const cut = cjk ? clean.slice(0, 16) : clean.split(' ').slice(0, 8).join(' ');
	return (cut.length < clean.length ? cut + '…' : cut).slice(0, 200);
}

/** Whether a chat's first message is a title already: its first words are all of it. */
const isItsOwnTitle = (question: string, fallback: string) => fallback === question.replace(/\s+/g, ' ').trim();

/**
 * After the first reply in a chat the person did not name, asks the model for a short title
 * from the start of their first message (TITLE_MODE=model), or keeps the first words
 * (TITLE_MODE=words: no extra call at all). A first message no longer than a title ("hello",
 * "What is the capital of Peru?") is its own title, with no call either. Not charged to the
 * person's quota; any failure keeps the first-words title.
 */
export async function nameChat(userId: string, chatId: string, question: string, fallback: string) {
	const c = config();
	if (c.demoModel || c.TITLE_MODE === 'words') return; // the demo model cannot summarise
	if (isItsOwnTitle(question, fallback)) return;
	try {
		const res = await llm().chat.completions.create({
			model: modelName(),
			messages: [
				{ role: 'system', content: TITLE_INSTRUCTION },
				{ role: 'user', content: [...question].slice(0, TITLE_INPUT_CHARS).join('') }
			],
			max_tokens: TITLE_MAX_TOKENS,
			temperature: 0.3
		});
		const title = (res.choices[0]?.message?.content ?? '')
			.replace(/^["'“”「」《]+|["'“”「」》.。!！]+$/g, '')
			.replace(/\s+/g, ' ')
			.trim()
			.slice(0, 80);
		if (!title) return;
		// Only if the title is still the automatic one: a rename meanwhile wins.
		await db
			.update(chat)
			.set({ title })
			.where(and(eq(chat.id, chatId), eq(chat.userId, userId), eq(chat.title, fallback)));
	} catch {
		/* keep the first-words title */
	}
}
