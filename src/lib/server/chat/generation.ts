import type { StreamEvents, Usage } from '$lib/types/stream';

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
	readonly final: GenerationEnd | null;
	/** Replays what exists as one delta (and the end, if reached), then follows live. */
	subscribe(listener: (e: GenerationEvent) => void): () => void;
}

export type StopReason = 'stopped' | 'shutdown';

export class Generation implements ReplySource {
	text = '';
	final: GenerationEnd | null = null;
	readonly abort = new AbortController();
	stopReason: StopReason | null = null;
	private listeners = new Set<(e: GenerationEvent) => void>();
	private resolveFinished!: () => void;
	/** Resolves once the reply has ended and its last write was attempted. */
	readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

	constructor(
		readonly messageId: number,
		readonly chatId: string,
		readonly userId: string
	) {}

	subscribe(listener: (e: GenerationEvent) => void): () => void {
		if (this.text) listener({ type: 'delta', text: this.text });
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
		if (e.type === 'delta') this.text += e.text;
		else this.final = e;
		for (const l of this.listeners) l(e);
		if (e.type !== 'delta') {
			this.listeners.clear();
			this.resolveFinished();
		}
	}
}
