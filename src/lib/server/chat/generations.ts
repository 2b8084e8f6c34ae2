import { and, desc, eq, sql } from 'drizzle-orm';
import { config } from '../config';
import { db } from '../db';
import { chat, message, user, type Message } from '../db/schema';
import { DomainError, notFound, type ErrorCode } from '../errors';
import { llm, modelName } from '../llm/client';
import { fitToWindow, fitsAlone, type Turn } from '../llm/context-window';
import { classifyUpstreamError } from '../llm/upstream-errors';
import { findChat } from './chats';
import { translate } from '$lib/i18n';
import { firstWords, nameChat } from './titles';

/**
 * Replies in flight. The server owns each generation: it outlives the request that started
 * it, persists its text at least once a second, and fans deltas out to any number of
 * subscribers (the starting request, a reload that resumes, a no-JS form action waiting).
 */

export type Usage = { promptTokens: number; completionTokens: number } | null;
export type GenerationEvent =
	| { type: 'delta'; text: string }
	| { type: 'done'; finishReason: string; usage: Usage }
	| { type: 'error'; code: ErrorCode; message: string };

const FLUSH_MS = 1000;

export class Generation {
	text = '';
	final: GenerationEvent | null = null;
	readonly abort = new AbortController();
	stopReason: 'stopped' | 'shutdown' | null = null;
	private listeners = new Set<(e: GenerationEvent) => void>();
	private resolveFinished!: () => void;
	readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

	constructor(
		readonly messageId: number,
		readonly chatId: string,
		readonly userId: string
	) {}

	/** Replays what exists as one delta (and the end, if reached), then follows live. */
	subscribe(listener: (e: GenerationEvent) => void): () => void {
		if (this.text) listener({ type: 'delta', text: this.text });
		if (this.final) {
			listener(this.final);
			return () => {};
		}
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit(e: GenerationEvent) {
		if (e.type === 'delta') this.text += e.text;
		else this.final = e;
		for (const l of this.listeners) l(e);
		if (e.type !== 'delta') {
			this.listeners.clear();
			this.resolveFinished();
		}
	}
}

const byMessage = new Map<number, Generation>();
/** Chats with a reply being generated; reserved synchronously so two sends cannot both pass. */
const busyChats = new Set<string>();
let shuttingDown = false;

export type SendInput = { content: string } | { regenerate: true };

export async function startReply(userId: string, chatId: string, input: SendInput) {
	const c = config();
	if (shuttingDown) throw new DomainError('shutdown', 'The server is restarting');
	const content = 'content' in input ? input.content.trim() : null;
	if (content !== null) {
		if (!content) throw new DomainError('bad_request', 'Message is empty');
		if (content.length > c.MAX_MESSAGE_CHARS) throw new DomainError('message_too_long', 'Message is too long');
	}
	if (busyChats.has(chatId)) throw new DomainError('chat_busy', 'A reply is already being generated in this chat');
	busyChats.add(chatId);
	let started = false;
	try {
		const row = await findChat(userId, chatId);
		const replyBudget = Math.min(row.settings.max_tokens ?? c.MAX_REPLY_TOKENS, c.MAX_REPLY_TOKENS);
		if (content !== null && !fitsAlone(row.systemPrompt, content, c.MODEL_CONTEXT_TOKENS, replyBudget)) {
			throw new DomainError('message_too_long', 'Message does not fit the model context window');
		}
		const history = await recentHistory(userId, chatId);
		if (history.some((m) => m.status === 'streaming')) {
			throw new DomainError('chat_busy', 'A reply is already being generated in this chat');
		}
		let replace: Message | undefined;
		if (content === null) {
			if (history.at(-1)?.role === 'assistant') replace = history.pop();
			if (!history.length) throw new DomainError('bad_request', 'Nothing to regenerate');
		}
		// A chat nobody named takes its first words now, and a model-made title later.
		const autoTitle = !row.title && content ? firstWords(content) : null;

		// Quota and the new rows commit together: a failed insert costs the person nothing.
		const { userMessageId, assistantMessageId } = await db.transaction(async (tx) => {
			await takeQuota(tx, userId);
			let userMessageId: number | null = null;
			if (content !== null) {
				const [res] = await tx.insert(message).values({ chatId, userId, role: 'user', content, status: 'complete' });
				userMessageId = res.insertId;
				history.push({ id: userMessageId, chatId, userId, role: 'user', content, status: 'complete' } as Message);
			} else if (replace) {
				await tx.delete(message).where(and(eq(message.id, replace.id), eq(message.userId, userId)));
			}
			const [res] = await tx
				.insert(message)
				.values({ chatId, userId, role: 'assistant', content: '', status: 'streaming' });
			await tx
				.update(chat)
				.set({ updatedAt: new Date(), ...(autoTitle ? { title: autoTitle } : {}) })
				.where(and(eq(chat.id, chatId), eq(chat.userId, userId)));
			return { userMessageId, assistantMessageId: res.insertId };
		});

		const turns = alternate(history);
		const { messages } = fitToWindow(row.systemPrompt, turns, c.MODEL_CONTEXT_TOKENS, replyBudget);

		const generation = new Generation(assistantMessageId, chatId, userId);
		byMessage.set(assistantMessageId, generation);
		started = true;
		void run(generation, {
			model: modelName(row.settings.model),
			messages,
			temperature: row.settings.temperature,
			top_p: row.settings.top_p,
			presence_penalty: row.settings.presence_penalty,
			frequency_penalty: row.settings.frequency_penalty,
			max_tokens: replyBudget
		}).then(() => {
			if (autoTitle && generation.final?.type === 'done' && generation.text) {
				void nameChat(userId, chatId, content!, generation.text, autoTitle);
			}
		});
		return { userMessageId, assistantMessageId, generation };
	} finally {
		if (!started) busyChats.delete(chatId);
	}
}

async function recentHistory(userId: string, chatId: string) {
	// The window never needs more than the newest few hundred turns.
	const rows = await db
		.select()
		.from(message)
		.where(and(eq(message.chatId, chatId), eq(message.userId, userId)))
		.orderBy(desc(message.id))
		.limit(600);
	return rows.reverse();
}

/**
 * History as strictly alternating turns: empty replies (failed before any text) are left
 * out, and the user turns they leave side by side are joined, so strict upstreams accept it.
 */
function alternate(history: Message[]): Turn[] {
	const turns: Turn[] = [];
	for (const m of history) {
		if (!m.content) continue;
		const last = turns.at(-1);
		if (last && last.role === m.role) {
			last.content += '\n\n' + m.content;
			last.key += `+${m.id}`;
		} else turns.push({ role: m.role, content: m.content, key: `m${m.id}` });
	}
	return turns;
}

/** One model call = one unit, taken atomically: concurrent sends can never overdraw. */
async function takeQuota(tx: Pick<typeof db, 'update'>, userId: string) {
	const [res] = await tx
		.update(user)
		.set({ quotaUsed: sql`${user.quotaUsed} + 1` })
		.where(and(eq(user.id, userId), sql`${user.quotaUsed} < ${user.quotaLimit}`));
	if ((res as { affectedRows: number }).affectedRows === 0) {
		throw new DomainError('quota_exhausted', 'You have used all of your quota');
	}
}

type Request = {
	model: string;
	messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
	temperature?: number;
	top_p?: number;
	presence_penalty?: number;
	frequency_penalty?: number;
	max_tokens: number;
};

async function run(g: Generation, request: Request) {
	let persisted = 0;
	// Appends only what arrived since the last write: a long reply never rewrites its text.
	const flush = async () => {
		if (g.text.length === persisted) return;
		const end = g.text.length;
		const fresh = g.text.slice(persisted, end);
		await db
			.update(message)
			.set({ content: sql`CONCAT(${message.content}, ${fresh})` })
			.where(and(eq(message.id, g.messageId), eq(message.userId, g.userId)));
		persisted = end;
	};
	let flushing: Promise<void> = Promise.resolve();
	const timer = setInterval(() => {
		flushing = flushing.then(flush).catch(() => {});
	}, FLUSH_MS);

	let status: Message['status'] = 'complete';
	let errorCode: ErrorCode | null = null;
	let finishReason = 'stop';
	let usage: Usage = null;
	try {
		const stream = await llm().chat.completions.create(
			{ ...request, stream: true, stream_options: { include_usage: true } },
			{ signal: g.abort.signal }
		);
		let finished = false;
		for await (const chunk of stream) {
			const choice = chunk.choices[0];
			const delta = choice?.delta?.content;
			if (delta) g.emit({ type: 'delta', text: delta });
			if (choice?.finish_reason) {
				finished = true;
				finishReason = choice.finish_reason;
			}
			if (chunk.usage)
				usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
		}
		if (!finished && !g.abort.signal.aborted) throw new Error('upstream stream ended without a finish reason');
		if (g.abort.signal.aborted) throw g.abort.signal.reason;
	} catch (e) {
		if (g.stopReason) {
			status = 'stopped';
			finishReason = 'stopped';
		} else {
			status = 'error';
			errorCode = classifyUpstreamError(e);
		}
	} finally {
		clearInterval(timer);
	}
	await flushing;
	try {
		await db
			.update(message)
			.set({
				content: g.text,
				status,
				errorCode,
				promptTokens: usage?.promptTokens ?? null,
				completionTokens: usage?.completionTokens ?? null
			})
			.where(and(eq(message.id, g.messageId), eq(message.userId, g.userId)));
		await db
			.update(chat)
			.set({ updatedAt: new Date() })
			.where(and(eq(chat.id, g.chatId), eq(chat.userId, g.userId)));
	} catch (e) {
		console.error('OreAI: could not store a finished reply', e);
	} finally {
		busyChats.delete(g.chatId);
		byMessage.delete(g.messageId);
		g.emit(
			errorCode
				? { type: 'error', code: errorCode, message: translate('en', `errors.${errorCode}`) }
				: { type: 'done', finishReason, usage }
		);
	}
}

/** Stops a reply in flight; the partial text stays with status `stopped`. */
export async function stopReply(userId: string, chatId: string, messageId: number) {
	const g = byMessage.get(messageId);
	if (g && g.userId === userId && g.chatId === chatId) {
		g.stopReason = 'stopped';
		g.abort.abort();
		await g.finished;
	}
	const [row] = await db
		.select({ id: message.id, status: message.status })
		.from(message)
		.where(and(eq(message.id, messageId), eq(message.chatId, chatId), eq(message.userId, userId)))
		.limit(1);
	if (!row) throw notFound('message');
	return row;
}

/** For the stream endpoint: the live generation, or the stored message to replay. */
export async function replayTarget(userId: string, chatId: string, messageId: number) {
	const live = byMessage.get(messageId);
	if (live && live.userId === userId && live.chatId === chatId) return { live };
	const [row] = await db
		.select()
		.from(message)
		.where(
			and(
				eq(message.id, messageId),
				eq(message.chatId, chatId),
				eq(message.userId, userId),
				eq(message.role, 'assistant')
			)
		)
		.limit(1);
	if (!row) throw notFound('message');
	return { stored: row };
}

/** On SIGTERM: stop every reply, keep its text as `stopped`, and wait until all are stored. */
export async function shutdownGenerations() {
	shuttingDown = true;
	const all = [...byMessage.values()];
	for (const g of all) {
		g.stopReason = 'shutdown';
		g.abort.abort();
	}
	await Promise.all(all.map((g) => g.finished));
}

/** After a crash, replies left `streaming` can never finish: mark them interrupted. */
export async function markInterrupted() {
	await db.update(message).set({ status: 'error', errorCode: 'interrupted' }).where(eq(message.status, 'streaming'));
}
