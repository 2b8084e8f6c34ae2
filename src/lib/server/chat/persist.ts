import { config } from '../config';
import { db, dbFailure } from '../db';
import { log } from '../log';
import type { MessageStatus } from '../db/schema';
import { messageTokens } from '../llm/tokens';
import type { ErrorCode } from '../errors';
import { slot, statementsInOneTrip, template, type Built } from '../db/batch';
import { chatTouch } from './chats';
import type { Generation, Usage } from './generation';
import { appendReplyTexts, finishReplyUpdate, markReplyInterrupted, type ReplyOutcome } from './messages';
import { addPending, removePending } from './pending-ends';

/**
 * Keeps replies in the database while they stream, and never loses a word to a database
 * outage: the text stays in memory until it is stored, the appends are retried with backoff,
 * and the last write of each reply is retried until it succeeds (or REPLY_STORE_RETRY_SECONDS pass,
 * after which the reply is marked interrupted with the text stored before).
 */

/** Every live reply is stored at least this often while the database answers. */
const FLUSH_MS = 1000;
/** Replies per append statement. */
const BATCH = 100;
/** Backoff between retries while the database fails. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
/** After that, how often the small "interrupted" write is retried. */
const INTERRUPTED_RETRY_MS = 30_000;
/** How long the end of a reply waits for its first write before the chat is freed anyway. */
const FIRST_WRITE_WAIT_MS = 5000;

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
			if (!appendsFailing) log.warn({ code: dbFailure(e) }, 'could not store live replies, retrying');
			appendsFailing = true;
			tickDelay = Math.min(Math.max(tickDelay * 2, RETRY_MIN_MS), RETRY_MAX_MS);
			return;
		}
		for (const p of batch) if (live.has(p.g)) live.set(p.g, p.end);
	}
	if (appendsFailing) log.info('storing live replies again');
	appendsFailing = false;
	tickDelay = FLUSH_MS;
}

export interface Ending {
	status: MessageStatus;
	errorCode: ErrorCode | null;
	usage: Usage;
}

type Ids = { userId: string; messageId: number; chatId: string };
/** The two statements of a reply's end, built once (see `template`). */
const ending = {
	finish: template<Ids & ReplyOutcome>(
		finishReplyUpdate(slot('userId'), slot('messageId'), {
			content: slot('content'),
			status: slot('status'),
			errorCode: slot('errorCode'),
			tokens: slot('tokens'),
			promptTokens: slot('promptTokens'),
			completionTokens: slot('completionTokens')
		})
	),
	touch: template<Ids & { at: Date }>(chatTouch(db, slot('userId'), slot('chatId'), null, slot('at')))
};

/** Stores the whole reply and how it ended, and moves the chat to the top of the list. */
function endingStatements(g: Generation, end: Ending): Built[] {
	const ids = { userId: g.userId, messageId: g.messageId, chatId: g.chatId };
	return [
		ending.finish({
			...ids,
			content: g.text,
			status: end.status,
			errorCode: end.errorCode,
			tokens: messageTokens(g.text),
			promptTokens: end.usage?.promptTokens ?? null,
			completionTokens: end.usage?.completionTokens ?? null
		}),
		ending.touch({ ...ids, at: new Date() })
	];
}

/** Most reply ends per trip, and most characters of their text together. */
const ENDS_PER_TRIP = 100;
const END_CHARS_PER_TRIP = 1_000_000;
let ends: { statements: Built[]; chars: number; stored: () => void; failed: (e: unknown) => void }[] = [];

/**
 * Stores a reply's end together with the other ends of this turn of the event loop: one trip
 * for all of them (up to ENDS_PER_TRIP), where each end was a trip of its own. At 500 replies
 * ending together every trip is a system call that wakes the database, and those writes were
 * the largest single cost of the process. The writes only set values, so a batch that fails
 * half-way is simply written again: each of its ends is retried `alone`, so an end that fails
 * for a reason of its own holds up no other.
 */
function storeEnding(g: Generation, end: Ending, alone: boolean): Promise<void> {
	const statements = endingStatements(g, end);
	if (alone) return statementsInOneTrip(statements);
	return new Promise((stored, failed) => {
		if (!ends.length) setImmediate(writeEnds);
		ends.push({ statements, chars: g.length, stored, failed });
	});
}

function writeEnds() {
	const all = ends;
	ends = [];
	for (let i = 0; i < all.length;) {
		let chars = 0;
		let j = i;
		while (j < all.length && j - i < ENDS_PER_TRIP && (j === i || chars + all[j].chars <= END_CHARS_PER_TRIP)) {
			chars += all[j++].chars;
		}
		const trip = all.slice(i, j);
		statementsInOneTrip(trip.flatMap((e) => e.statements)).then(
			() => trip.forEach((e) => e.stored()),
			(err: unknown) => trip.forEach((e) => e.failed(err))
		);
		i = j;
	}
}

type ReplyIds = Pick<Generation, 'messageId' | 'userId' | 'chatId'>;

/**
 * A write tried now, on demand (see pending-ends.ts) and with backoff until it succeeds or
 * its deadline passes. Logs its first failure and its late success, once each.
 */
function retrying(ids: ReplyIds, what: string, write: () => Promise<void>) {
	let tries = 0;
	let done = false;
	let inProgress: Promise<boolean> | null = null;
	const attempt = async (): Promise<boolean> =>
		done ||
		(inProgress ??= write()
			.then(
				() => {
					if (tries > 0) log.info({ messageId: ids.messageId, tries: tries + 1 }, `stored ${what} of a reply`);
					done = true;
					removePending(ids.messageId);
					return true;
				},
				(e) => {
					if (tries === 0) {
						log.warn({ messageId: ids.messageId, code: dbFailure(e) }, `could not store ${what} of a reply, retrying`);
					}
					tries++;
					return false;
				}
			)
			.finally(() => (inProgress = null)));
	/** Retries until stored (true) or `deadline` (false); meanwhile a check for busy chats may try it too. */
	const until = async (deadline: number, maxDelay: number) => {
		if (!done) addPending(ids.messageId, { userId: ids.userId, chatId: ids.chatId, attempt });
		let delay = RETRY_MIN_MS;
		while (!done && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, delay));
			delay = Math.min(delay * 2, maxDelay);
			if (!done) await attempt();
		}
		if (!done) removePending(ids.messageId);
		return done;
	};
	return { attempt, until };
}

/**
 * Ends a reply's storage: waits for an append in progress (the last write replaces the text,
 * so no append may land after it), then writes the whole text and status. `first` tells
 * whether the first try stored it; if not, retries go on in the background and `stored`
 * resolves once it is stored (true) or given up (false). Given up, the text is let go and a
 * small write marks the reply interrupted (its text as last appended) whenever the database
 * answers again, so the chat never stays busy.
 */
export function finishStoring(g: Generation, end: Ending) {
	live.delete(g);
	const ids: ReplyIds = { messageId: g.messageId, userId: g.userId, chatId: g.chatId };
	// An append in flight may carry this reply's last words: the end must land after it.
	const appended = writing;
	let tries = 0;
	const whole = retrying(ids, 'the end', () => appended.then(() => storeEnding(g, end, tries++ > 0)));
	// A database that neither answers nor fails (stalled, or cut off without a reset) must not
	// hold the chat and its readers: past FIRST_WRITE_WAIT_MS the end is stored in the background.
	let wait: ReturnType<typeof setTimeout> | undefined;
	const first = Promise.race([
		whole.attempt(),
		new Promise<false>((r) => (wait = setTimeout(r, FIRST_WRITE_WAIT_MS, false)))
	]).finally(() => clearTimeout(wait));
	const stored = first.then(async (ok) => {
		if (ok || (await whole.until(Date.now() + config().REPLY_STORE_RETRY_SECONDS * 1000, RETRY_MAX_MS))) return true;
		log.error({ messageId: g.messageId }, 'gave up storing a reply whole; marking it interrupted instead');
		const mark = retrying(ids, 'the interruption', () => markReplyInterrupted(ids.userId, ids.messageId));
		void mark.until(Infinity, INTERRUPTED_RETRY_MS);
		return false;
	});
	return { first, stored };
}
