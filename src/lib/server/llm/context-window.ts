import { messageTokens, PER_MESSAGE_OVERHEAD } from './tokens';

export interface Turn {
	role: 'system' | 'user' | 'assistant';
	content: string;
	/** Tokens this turn takes, counted once when its message was stored (see `messageTokens`). */
	tokens?: number | null;
}

/**
 * What a turn costs in the window: its stored count, or for a row never counted its UTF-8
 * byte length, a cheap bound no tokenizer exceeds (every token holds at least one byte).
 */
export function turnTokens(turn: Turn): number {
	return turn.tokens ?? Buffer.byteLength(turn.content, 'utf8') + PER_MESSAGE_OVERHEAD;
}

/**
 * The request sent upstream: the system prompt plus the newest turns that fit
 * `contextTokens - replyTokens`. Oldest turns go first; the newest (the question) always stays,
 * so callers must reject a question that alone does not fit (see `fitsAlone`).
 */
export function fitToWindow(
	system: string,
	history: Turn[],
	contextTokens: number,
	replyTokens: number,
	systemTokens = system ? messageTokens(system) : 0
) {
	const budget = contextTokens - replyTokens;
	let used = systemTokens;
	const kept: Turn[] = [];
	for (let i = history.length - 1; i >= 0; i--) {
		const cost = turnTokens(history[i]);
		if (used + cost > budget && kept.length > 0) break;
		used += cost;
		kept.push(history[i]);
	}
	kept.reverse();
	// A reply-less window must start with a user turn for strict upstreams.
	while (kept.length > 1 && kept[0].role !== 'user') used -= turnTokens(kept.shift()!);
	const messages: Turn[] = system ? [{ role: 'system', content: system }, ...kept] : kept;
	return {
		messages: messages.map(({ role, content }) => ({ role, content })),
		tokens: used,
		dropped: history.length - kept.length
	};
}

/** Whether a question of `questionTokens` (see `messageTokens`) fits beside the system prompt. */
export function fitsAlone(systemTokens: number, questionTokens: number, contextTokens: number, replyTokens: number) {
	return systemTokens + questionTokens <= contextTokens - replyTokens;
}
