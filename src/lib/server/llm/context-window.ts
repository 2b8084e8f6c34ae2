import { messageTokens } from './tokens';

export interface Turn {
	role: 'system' | 'user' | 'assistant';
	content: string;
	/** Stable key for the token-count cache. */
	key?: string;
}

/**
 * The request sent upstream: the system prompt plus the newest turns that fit
 * `contextTokens - replyTokens`. Oldest turns go first; the newest (the question) always stays,
 * so callers must reject a question that alone does not fit (see `fitsAlone`).
 */
export function fitToWindow(system: string, history: Turn[], contextTokens: number, replyTokens: number) {
	const budget = contextTokens - replyTokens;
	let used = system ? messageTokens(system) : 0;
	const kept: Turn[] = [];
	for (let i = history.length - 1; i >= 0; i--) {
		const cost = messageTokens(history[i].content, history[i].key);
		if (used + cost > budget && kept.length > 0) break;
		used += cost;
		kept.push(history[i]);
	}
	kept.reverse();
	// A reply-less window must start with a user turn for strict upstreams.
	while (kept.length > 1 && kept[0].role !== 'user') kept.shift();
	const messages: Turn[] = system ? [{ role: 'system', content: system }, ...kept] : kept;
	return {
		messages: messages.map(({ role, content }) => ({ role, content })),
		tokens: used,
		dropped: history.length - kept.length
	};
}

export function fitsAlone(system: string, question: string, contextTokens: number, replyTokens: number) {
	const systemTokens = system ? messageTokens(system) : 0;
	return systemTokens + messageTokens(question) <= contextTokens - replyTokens;
}
