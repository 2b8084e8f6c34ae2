import { readEvents } from '$lib/sse-client';
import { isErrorCode, type ErrorCode } from '$lib/types/errors';
import type { StreamEvents } from '$lib/types/stream';

export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'error';

/** One message as the chat page shows it. */
export type ChatItem = {
	id: string;
	role: 'user' | 'assistant';
	content: string;
	status: MessageStatus;
	errorCode: string | null;
	/** The reply failed while this page watched: announced, unlike failures loaded from history. */
	failedLive?: boolean;
};

/** A message as page data and `chats.get` deliver it. */
type StoredMessage = Omit<ChatItem, 'id'> & { id: number | string };

type Source = { chat: { id: string }; messages: StoredMessage[] };

/** A new message, an edit of the person's message `editOf`, or another answer (to `messageId`). */
export type SendBody = { content: string; editOf?: string } | { regenerate: true; messageId?: string };

export const toItem = (m: StoredMessage): ChatItem => ({
	id: String(m.id),
	role: m.role,
	content: m.content,
	status: m.status,
	errorCode: m.errorCode
});

/** Resuming gives up after this many tries (backing off up to 5 s each). */
const RESUME_ATTEMPTS = 30;

/**
 * The messages of one chat page, kept in step with the server's reply streams: sends,
 * regenerates, resumes a reply after a reload or a dropped connection, stops one.
 * `items` follows the page data whenever a load replaces it.
 */
export class ChatStream {
	#source: () => Source;
	#hooks: { onSend?: () => void; onChange?: () => void; onEnd?: () => void };
	#live: AbortController | null = null;

	/** Replies that failed while this page watched; kept when a reload replaces the page data. */
	// Not state: it is read only when the page data changes, which reruns `items` anyway.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#failedLive = new Set<string>();

	items = $derived.by(() =>
		this.#source().messages.map((m) => {
			const item = toItem(m);
			return this.#failedLive.has(item.id) && item.status === 'error' ? { ...item, failedLive: true } : item;
		})
	);
	/** Why the last send was refused, as an error code (`offline` when there is no connection). */
	sendError = $state<ErrorCode | 'offline' | null>(null);
	/** The reply whose stream broke off and is being picked up again, if any. */
	reconnecting = $state<string | null>(null);
	readonly busy = $derived(this.items.some((m) => m.status === 'streaming'));
	readonly lastAssistant = $derived.by(() => {
		const last = this.items.at(-1);
		return last?.role === 'assistant' ? last : undefined;
	});

	constructor(source: () => Source, hooks: { onSend?: () => void; onChange?: () => void; onEnd?: () => void } = {}) {
		this.#source = source;
		this.#hooks = hooks;
	}

	get #url() {
		return `/api/chats/${this.#source().chat.id}/messages`;
	}

	#patch(id: string, change: (m: ChatItem) => Partial<ChatItem>) {
		this.items = this.items.map((m) => (m.id === id ? { ...m, ...change(m) } : m));
	}

	/** Puts an older page of messages above the ones shown. */
	prepend(messages: StoredMessage[]) {
		this.items = [...messages.map(toItem), ...this.items];
	}

	/**
	 * Applies one SSE response. `start` names the messages (a send); a resume already knows
	 * its target. `ended` is true when the reply reached `done` or `error`.
	 */
	async #follow(
		response: Response,
		signal: AbortSignal,
		target: string | null,
		onStart?: (p: StreamEvents['start']) => void
	) {
		let ended = false;
		await readEvents(
			response,
			(e) => {
				if (e.event === 'start') {
					onStart?.(e.data);
					target = e.data.assistantMessageId;
				} else if (target && e.event === 'delta') {
					const { text } = e.data;
					this.#patch(target, (m) => ({ content: m.content + text }));
				} else if (target && e.event === 'done') {
					ended = true;
					const status = e.data.finishReason === 'stopped' ? 'stopped' : 'complete';
					this.#patch(target, () => ({ status }));
				} else if (target && e.event === 'error') {
					ended = true;
					const { code } = e.data;
					this.#failedLive.add(target);
					this.#patch(target, () => ({ status: 'error', errorCode: code, failedLive: true }));
				}
				this.#hooks.onChange?.();
			},
			signal
		);
		if (ended) this.#hooks.onEnd?.();
		return { ended };
	}

	/** Picks a reply up from its first word (after a reload or a dropped connection). */
	async resume(id: string) {
		for (let attempt = 0; attempt < RESUME_ATTEMPTS; attempt++) {
			this.#live?.abort();
			const controller = (this.#live = new AbortController());
			try {
				const res = await fetch(`${this.#url}/${id}/stream`, { signal: controller.signal });
				if (res.status === 404 || res.status === 401) return this.#reconnected(id);
				if (res.ok) {
					this.#patch(id, () => ({ content: '', status: 'streaming' }));
					this.#reconnected(id);
					if ((await this.#follow(res, controller.signal, id)).ended) return;
				}
			} catch {
				// A dropped connection is retried below; a page that left has aborted on purpose.
				if (controller.signal.aborted) return this.#reconnected(id);
			}
			this.reconnecting = id;
			await new Promise((r) => setTimeout(r, Math.min(300 * 2 ** attempt, 5000)));
		}
		this.#reconnected(id);
	}

	#reconnected(id: string) {
		if (this.reconnecting === id) this.reconnecting = null;
	}

	/** Sends a message (or regenerates the last reply); false when the server refused it. */
	async send(body: SendBody) {
		this.sendError = null;
		if (typeof navigator !== 'undefined' && navigator.onLine === false) {
			this.sendError = 'offline';
			return false;
		}
		this.#live?.abort();
		const controller = (this.#live = new AbortController());
		let res: Response;
		try {
			res = await fetch(this.#url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
				signal: controller.signal
			});
		} catch {
			// No answer at all: the connection, not the AI service (which was never reached).
			this.sendError = 'offline';
			return false;
		}
		if (!res.ok) {
			const code: unknown = (await res.json().catch(() => null))?.code;
			this.sendError = isErrorCode(code) ? code : 'upstream_error';
			return false;
		}
		this.#hooks.onSend?.();
		let assistantId: string | null = null;
		try {
			const outcome = await this.#follow(res, controller.signal, null, (p) => {
				assistantId = p.assistantMessageId;
				const added: ChatItem[] = [];
				if (p.userMessageId && 'content' in body) {
					added.push({
						id: p.userMessageId,
						role: 'user',
						content: body.content.trim(),
						status: 'complete',
						errorCode: null
					});
				}
				added.push({ id: p.assistantMessageId, role: 'assistant', content: '', status: 'streaming', errorCode: null });
				this.items = [...keptBefore(this.items, body), ...added];
			});
			if (!outcome.ended && assistantId) await this.resume(assistantId);
		} catch {
			// The stream broke off mid-reply: the server still has it, so pick it up again.
			if (assistantId && !controller.signal.aborted) await this.resume(assistantId);
		}
		return true;
	}

	/** Asks the server to stop a reply; its stream then ends with `done` (stopped). */
	async stop(id: string) {
		await fetch(`${this.#url}/${id}/stop`, { method: 'POST' }).catch(() => {
			// The reply's own stream still reports how it ended; nothing to show here.
		});
	}

	/** Resumes a reply left streaming by a reload. */
	resumeStreaming() {
		const streaming = this.items.findLast((m) => m.status === 'streaming');
		if (streaming) void this.resume(streaming.id);
	}

	/** Stops listening (the page is going away); replies go on on the server. */
	close() {
		this.#live?.abort();
	}
}

/** What stays on show when a turn is redone: everything before the edited or regenerated message. */
function keptBefore(list: ChatItem[], body: SendBody) {
	const from = 'editOf' in body ? body.editOf : 'messageId' in body ? body.messageId : undefined;
	if (from !== undefined) {
		const at = list.findIndex((m) => m.id === from);
		return at >= 0 ? list.slice(0, at) : list;
	}
	if (!('regenerate' in body)) return list;
	let end = list.length;
	while (end > 0 && list[end - 1].role === 'assistant') end--;
	return list.slice(0, end);
}
