import type { StreamEvents, Usage } from '$lib/types/stream';
import { isErrorCode } from '$lib/types/errors';
import { streamError, type ErrorCode } from '../errors';
import type { Message } from '../db/schema';

/**
 * One reply in flight. The server owns it: it outlives the request that started it and fans
 * its text out to any number of subscribers (the starting request, a reload that resumes,
 * a no-JS form action waiting for the end).
 */

export type { Usage };
/** The wire's `done` and `error` payloads, tagged. */
export type GenerationEnd = ({ type: 'done' } & StreamEvents['done']) | ({ type: 'error' } & StreamEvents['error']);
export type GenerationEvent = ({ type: 'delta' } & StreamEvents['delta']) | GenerationEnd;

/** What a reader follows: text so far, how it ended (once it has), and live events. */
export interface ReplySource {
	readonly text: string;
	/** `text.length`, and a part of it, without joining the whole text. */
	readonly length: number;
	slice(from: number, to?: number): string;
	readonly final: GenerationEnd | null;
	/** Replays what exists as one delta (and the end, if reached), then follows live. */
	subscribe(listener: (e: GenerationEvent) => void): () => void;
}

/** The end of a failed reply; a live one and a replayed one read the same. */
export const errorEnd = (code: ErrorCode): GenerationEnd => ({ type: 'error', ...streamError(code) });

/** A stored reply, to replay like a live one that has ended. */
export function storedReply(m: Message): ReplySource {
	const usage =
		m.completionTokens === null ? null : { promptTokens: m.promptTokens ?? 0, completionTokens: m.completionTokens };
	const final: GenerationEnd =
		m.status === 'error'
			? errorEnd(isErrorCode(m.errorCode) ? m.errorCode : 'upstream_error')
			: { type: 'done', finishReason: m.status === 'stopped' ? 'stopped' : 'stop', usage };
	return {
		text: m.content,
		length: m.content.length,
		slice: (from, to) => m.content.slice(from, to),
		final,
		subscribe(listener) {
			if (m.content) listener({ type: 'delta', text: m.content });
			listener(final);
			return () => {};
		}
	};
}

export type StopReason = 'stopped' | 'shutdown';

export class Generation implements ReplySource {
	/**
	 * The text as it arrived, in pieces (with each piece's end offset). Readers catching up
	 * from an offset take `slice`s, so a long reply is not copied whole for every reader and tick.
	 */
	private pieces: string[] = [];
	private ends: number[] = [];
	length = 0;
	final: GenerationEnd | null = null;
	stopReason: StopReason | null = null;
	private listeners = new Set<(e: GenerationEvent) => void>();
	private resolveFinished!: () => void;
	/** Resolves once the reply has ended and its last write was attempted. */
	readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

	constructor(
		readonly messageId: number,
		readonly chatId: string,
		readonly userId: string,
		/** Ends the model call (stop, shutdown); the reply's own when none is given. */
		readonly abort = new AbortController()
	) {}

	get text(): string {
		if (this.pieces.length > 1) {
			const all = this.pieces.join('');
			this.pieces = [all];
			this.ends = [all.length];
		}
		return this.pieces[0] ?? '';
	}

	slice(from: number, to = this.length): string {
		let lo = 0;
		let hi = this.ends.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.ends[mid] > from) hi = mid;
			else lo = mid + 1;
		}
		let out = '';
		for (let i = lo; i < this.pieces.length && from < to; i++) {
			const start = this.ends[i] - this.pieces[i].length;
			const end = Math.min(to, this.ends[i]);
			out += this.pieces[i].slice(from - start, end - start);
			from = end;
		}
		return out;
	}

	subscribe(listener: (e: GenerationEvent) => void): () => void {
		if (this.length) listener({ type: 'delta', text: this.text });
		if (this.final) {
			listener(this.final);
			return () => {};
		}
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Asks the upstream loop to end the reply; the partial text is kept. */
	stop(reason: StopReason) {
		this.stopReason ??= reason;
		this.abort.abort();
	}

	emit(e: GenerationEvent) {
		if (e.type === 'delta') {
			this.pieces.push(e.text);
			this.length += e.text.length;
			this.ends.push(this.length);
		} else this.final = e;
		for (const l of this.listeners) l(e);
		if (e.type !== 'delta') {
			this.listeners.clear();
			this.resolveFinished();
		}
	}
}
