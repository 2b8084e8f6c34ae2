import { and, eq, sql } from 'drizzle-orm';
import { config } from '../config';
import { takeSend } from '../limits';
import { db, type Db } from '../db';
import { readsInOneTrip, slot, template, transactionInOneTrip } from '../db/batch';
import { user, type Chat, type Message } from '../db/schema';
import { DomainError, notFound } from '../errors';
import { fitsAlone } from '../llm/context-window';
import { messageTokens } from '../llm/tokens';
import { observeGeneration, quotaRefusals } from '../ops/metrics';
import { quotaLeft } from '../account';
import { chatRead, chatTouch } from './chats';
import { Generation } from './generation';
import { upstreamRequest } from './history';
import { isShuttingDown } from './lifecycle';
import {
	findMessage,
	HISTORY_MESSAGES,
	hideFromUpdate,
	newestRead,
	recentMessages,
	replyPlaceholderInsert,
	userMessageInsert
} from './messages';
import { settlePending } from './pending-ends';
import { registry } from './registry';
import { firstWords, nameChat } from './titles';
import { callUpstream, runGeneration, type UpstreamCall } from './upstream';

/**
 * A new message; or an edit of an earlier message of the person (`editOf`), which starts a
 * new branch from there; or another answer to the last (or a named) reply. Nothing is
 * replaced: the earlier versions stay reachable.
 */
export type SendInput = { content: string; editOf?: number } | { regenerate: true; messageId?: number };

const busy = () => new DomainError('chat_busy', 'A reply is already being generated in this chat');

/**
 * Admission: checks the message and the sender's limits (per user, and per client
 * `address` per day), reserves the chat, takes one quota unit with the new rows, and starts
 * the generation. The reply goes on without the caller; it gets the generation to follow.
 */
export async function startReply(sender: Sender, chatId: string, input: SendInput, address: string) {
	const c = config();
	const userId = sender.id;
	if (isShuttingDown()) throw new DomainError('shutdown', 'The server is restarting');
	const content = 'content' in input ? input.content.trim() : null;
	if (content !== null) {
		if (!content) throw new DomainError('bad_request', 'Message is empty');
		if (content.length > c.MAX_MESSAGE_CHARS) throw new DomainError('message_too_long', 'Message is too long');
	}
	// The quota as read with the session, this very request: an exhausted one is refused before
	// the model is called. The unit itself is taken with the new rows (below), atomically.
	const left = quotaLeft(sender);
	if (left === 0) throw quotaExhausted();
	const { refund } = await takeSend(userId, address);
	// The model may be called before the rows are written only while the quota surely covers
	// every send of this person under way here (reads of the quota may predate their writes);
	// otherwise it is called after the write, which is what refuses a send over the quota.
	const underWay = sendsUnderWay.get(userId) ?? 0;
	const callEarly = left > underWay;
	sendsUnderWay.set(userId, underWay + 1);
	let started = false;
	let claimed = false;
	let call: UpstreamCall | undefined;
	try {
		if (!(await registry().claimChat(chatId))) throw busy();
		claimed = true;
		// A reply of this chat that ended while the database was down still reads `streaming`
		// until its last write lands: try that write now, so the chat is free as soon as it can be.
		await settlePending(userId, chatId);
		// Independent reads side by side: one wait instead of three.
		const redoId = 'editOf' in input ? input.editOf : 'messageId' in input ? input.messageId : undefined;
		const [[chats, newest], named] = await Promise.all([
			// The chat and its history: one trip.
			readsInOneTrip<[Chat, Message]>([
				chatRead({ userId, chatId }),
				newestRead({ userId, chatId, limit: HISTORY_MESSAGES })
			]),
			redoId === undefined
				? undefined
				: findMessage(userId, chatId, redoId, 'editOf' in input ? 'user' : 'assistant').then((m) => m ?? null)
		]);
		const row = chats[0];
		if (!row) throw notFound();
		let history = newest.reverse();
		const replyBudget = Math.min(row.settings.max_tokens ?? c.MAX_REPLY_TOKENS, c.MAX_REPLY_TOKENS);
		// Each text is counted once: the question here (then stored with its row), the system prompt here.
		const systemTokens = row.systemPrompt ? messageTokens(row.systemPrompt) : 0;
		const contentTokens = content !== null ? messageTokens(content) : 0;
		if (content !== null && !fitsAlone(systemTokens, contentTokens, c.MODEL_CONTEXT_TOKENS, replyBudget)) {
			throw new DomainError('message_too_long', 'Message does not fit the model context window');
		}
		if (history.some((m) => m.status === 'streaming')) throw busy();
		// The turn being redone, if any: it and what follows leave the branch on show.
		let redo: Message | undefined;
		if (named !== undefined) {
			if (!named?.active) throw notFound('message');
			redo = named;
			const cut = history.findIndex((m) => m.id === named.id);
			history = cut >= 0 ? history.slice(0, cut) : await recentMessages(userId, chatId, { before: named.id });
		}
		if (content === null && !redo && history.at(-1)?.role === 'assistant') redo = history.pop();
		if (content === null && !history.length) throw new DomainError('bad_request', 'Nothing to regenerate');
		const parentId = history.at(-1)?.id ?? null;
		const versionOf = redo ? (redo.versionOf ?? redo.id) : null;
		// A chat nobody named takes its first words now, and a model-made title later.
		const autoTitle = !row.title && content ? firstWords(content) : null;

		// Quota and the new rows commit together, in one round trip: a refused quota or a failed
		// insert costs the person nothing. In order: the redone turn leaves the branch on show
		// before the new rows arrive, and the person's message goes in before the reply row, whose
		// parent it is (LAST_INSERT_ID() in the same batch), so ids keep the chat's order.
		const withQuestion = content !== null;
		// The model's first token takes hundreds of milliseconds: the rows are written meanwhile.
		const asked = withQuestion ? [...history, { role: 'user', content, tokens: contentTokens } as Message] : history;
		const request = upstreamRequest(row, asked, c.MODEL_CONTEXT_TOKENS, replyBudget, systemTokens);
		if (callEarly) call = callUpstream(request);
		const ids = { userId, chatId };
		const stored = await transactionInOneTrip(
			// Only with the quota unit taken are the rows written.
			statements.quotaTake({ userId }),
			[
				...(redo ? [statements.hideFrom({ ...ids, fromId: redo.id })] : []),
				...(withQuestion
					? [
							statements.question({ ...ids, content, tokens: contentTokens, parentId, versionOf }),
							statements.replyToQuestion(ids)
						]
					: [statements.reply({ ...ids, parentId, versionOf })]),
				autoTitle
					? statements.touchTitled({ ...ids, at: new Date(), title: autoTitle })
					: statements.touch({ ...ids, at: new Date() })
			]
		);
		if (!stored) throw quotaExhausted();
		const reply = stored.length - 2; // the reply row, just before the chat's touch
		const userMessageId = withQuestion ? stored[reply - 1].insertId : null;
		const assistantMessageId = stored[reply].insertId;
		call ??= callUpstream(request);
		const generation = new Generation(assistantMessageId, chatId, userId, call.abort);
		registry().add(generation);
		observeGeneration(generation);
		started = true;
		void runGeneration(generation, call, {
			onEnded: () => registry().releaseChat(chatId),
			onStored: () => registry().remove(generation)
		})
			.finally(() => sendDone(userId))
			.then(() => {
				if (autoTitle && generation.final?.type === 'done' && generation.text) {
					void nameChat(userId, chatId, content!, autoTitle);
				}
			});
		return { userMessageId, assistantMessageId, generation };
	} finally {
		if (!started) {
			// A call started for a send that was then refused (quota taken meanwhile, a failed
			// write) ends before its first token; the address keeps its daily allowance.
			call?.cancel();
			sendDone(userId);
			await refund().catch(() => undefined);
			if (claimed) await registry().releaseChat(chatId);
		}
	}
}

/** Sends of each person in this process, from admission until their reply has ended. */
const sendsUnderWay = new Map<string, number>();
function sendDone(userId: string) {
	const n = (sendsUnderWay.get(userId) ?? 1) - 1;
	if (n > 0) sendsUnderWay.set(userId, n);
	else sendsUnderWay.delete(userId);
}

/** Who sends: the person as read with the session, quota included. */
export type Sender = { id: string; quotaUsed: number; quotaLimit: number };

function quotaExhausted() {
	quotaRefusals.inc();
	return new DomainError('quota_exhausted', 'You have used all of your quota');
}

/** One model call = one unit, taken atomically: concurrent sends can never overdraw. */
function quotaTake(conn: Pick<Db, 'update'>, userId: string) {
	return conn
		.update(user)
		.set({ quotaUsed: sql`${user.quotaUsed} + 1` })
		.where(and(eq(user.id, userId), sql`${user.quotaUsed} < ${user.quotaLimit}`));
}

type Ids = { userId: string; chatId: string };
type Placed = Ids & { parentId: number | null; versionOf: number | null };

/** A send's statements, built once (see `template`): the values are filled in per send. */
const statements = {
	quotaTake: template<{ userId: string }>(quotaTake(db, slot('userId'))),
	hideFrom: template<Ids & { fromId: number }>(hideFromUpdate(db, slot('userId'), slot('chatId'), slot('fromId'))),
	question: template<Placed & { content: string; tokens: number }>(
		userMessageInsert(db, slot('userId'), slot('chatId'), slot('content'), slot('tokens'), {
			parentId: slot('parentId'),
			versionOf: slot('versionOf')
		})
	),
	// The reply to a new question hangs under it: the row inserted just before, in the same batch.
	replyToQuestion: template<Ids>(
		replyPlaceholderInsert(db, slot('userId'), slot('chatId'), { parentId: sql`LAST_INSERT_ID()`, versionOf: null })
	),
	reply: template<Placed>(
		replyPlaceholderInsert(db, slot('userId'), slot('chatId'), {
			parentId: slot('parentId'),
			versionOf: slot('versionOf')
		})
	),
	touch: template<Ids & { at: Date }>(chatTouch(db, slot('userId'), slot('chatId'), null, slot('at'))),
	touchTitled: template<Ids & { at: Date; title: string }>(
		chatTouch(db, slot('userId'), slot('chatId'), slot('title'), slot('at'))
	)
};
