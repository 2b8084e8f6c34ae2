import { db, dbFailure } from '../db';
import type { MessageStatus } from '../db/schema';
import { messageTokens } from '../llm/tokens';
import type { ErrorCode } from '../errors';
import { touchChat } from './chats';
import type { Generation, Usage } from './generation';
import { appendReplyTexts, finishReply } from './messages';
import { addPending, removePending } from './pending-ends';

/**
 * Keeps replies in the database while they stream, and never loses a word to a database
 * outage: the text stays in memory until it is stored, the appends are retried with backoff,
 * and the last write of each reply is retried until it succeeds (or FINAL_GIVE_UP_MS passes,
 * after which the next start marks the reply interrupted).
 */

/** Every live reply is stored at least this often while the database answers. */
const FLUSH_MS = 1000;
/** Replies per append statement. */
const BATCH = 100;
/** Backoff between retries while the database fails. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
const FINAL_GIVE_UP_MS = 10 * 60_000;

/** Live replies and how many of their characters are stored. */
const live = new Map<Generation, number>();
let timer: ReturnType<typeof setTimeout> | null = null;
let writing: Promise<void> = Promise.resolve();
let appendsFailing = false;
let tickDelay = FLUSH_MS;

/** Starts storing a generation's text once a tick, together with every other live reply. */
export function trackReply(g: Generation) {
	live.set(g, 0);
	schedule();
}

let appending = false;

/** One loop for all live replies: the next tick is set only once the last write answered. */
function schedule() {
	if (timer || appending || live.size === 0) return;
	timer = setTimeout(() => {
		timer = null;
		appending = true;
		writing = appendAll().finally(() => {
			appending = false;
			schedule();
		});
	}, tickDelay);
}

async function appendAll() {
	const parts: { g: Generation; end: number; text: string }[] = [];
	for (const [g, stored] of live) {
		if (g.length > stored) parts.push({ g, end: g.length, text: g.slice(stored) });
	}
	for (let i = 0; i < parts.length; i += BATCH) {
		const batch = parts.slice(i, i + BATCH);
		try {
			await appendReplyTexts(batch.map((p) => ({ userId: p.g.userId, messageId: p.g.messageId, text: p.text })));
		} catch (e) {
			if (!appendsFailing) console.error(`OreAI: could not store live replies, retrying (${dbFailure(e)})`);
			appendsFailing = true;
			tickDelay = Math.min(Math.max(tickDelay * 2, RETRY_MIN_MS), RETRY_MAX_MS);
			return;
		}
		for (const p of batch) if (live.has(p.g)) live.set(p.g, p.end);
	}
	if (appendsFailing) console.error('OreAI: storing live replies again');
	appendsFailing = false;
	tickDelay = FLUSH_MS;
}

export interface Ending {
	status: MessageStatus;
	errorCode: ErrorCode | null;
	usage: Usage;
}

/** Stores the whole reply and how it ended; the chat moves to the top of the list. */
async function storeEnding(g: Generation, end: Ending) {
	await finishReply(g.userId, g.messageId, {
		content: g.text,
		status: end.status,
		errorCode: end.errorCode,
		tokens: messageTokens(g.text),
		promptTokens: end.usage?.promptTokens ?? null,
		completionTokens: end.usage?.completionTokens ?? null
	});
	await touchChat(db, g.userId, g.chatId);
}

/**
 * Ends a reply's storage: waits for an append in progress (the last write replaces the text,
 * so no append may land after it), then writes the whole text and status. `first` tells
 * whether the first try stored it; if not, retries go on in the background and `stored`
 * resolves once it is stored or given up.
 */
export function finishStoring(g: Generation, end: Ending) {
	live.delete(g);
	let tries = 0;
	let inProgress: Promise<boolean> | null = null;
	let done = false;
	const attempt = async (): Promise<boolean> =>
		done ||
		(inProgress ??= storeEnding(g, end)
			.then(
				() => {
					if (tries > 0) console.error(`OreAI: stored reply ${g.messageId} after ${tries + 1} tries`);
					done = true;
					removePending(g.messageId);
					return true;
				},
				(e) => {
					if (tries === 0) console.error(`OreAI: could not store reply ${g.messageId}, retrying (${dbFailure(e)})`);
					tries++;
					return false;
				}
			)
			.finally(() => (inProgress = null)));
	const first = writing.then(attempt);
	const stored = first.then(async (ok) => {
		if (ok) return true;
		if (!done) addPending(g.messageId, { userId: g.userId, chatId: g.chatId, attempt });
		const giveUpAt = Date.now() + FINAL_GIVE_UP_MS;
		let delay = RETRY_MIN_MS;
		while (!done && Date.now() < giveUpAt) {
			await new Promise((r) => setTimeout(r, delay));
			delay = Math.min(delay * 2, RETRY_MAX_MS);
			if (!done) await attempt();
		}
		removePending(g.messageId);
		if (!done) console.error(`OreAI: gave up storing reply ${g.messageId}; the next start marks it interrupted`);
		return done;
	});
	return { first, stored };
}
