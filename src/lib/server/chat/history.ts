import type { Chat, Message, ModelSettings } from '../db/schema';
import { modelName } from '../llm/client';
import { fitToWindow, type Turn } from '../llm/context-window';

/** What is sent upstream for one reply. */
export interface UpstreamRequest extends Omit<ModelSettings, 'model' | 'max_tokens'> {
	model: string;
	messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
	max_tokens: number;
}

/**
 * History as strictly alternating turns: empty replies (failed before any text) are left
 * out, and the user turns they leave side by side are joined, so strict upstreams accept it.
 */
export function alternate(history: Message[]): Turn[] {
	const turns: Turn[] = [];
	for (const m of history) {
		if (!m.content) continue;
		const last = turns.at(-1);
		// A joined turn costs both messages' counts: two overheads leave room for the separator.
		if (last && last.role === m.role) {
			last.content += '\n\n' + m.content;
			last.tokens = last.tokens != null && m.tokens != null ? last.tokens + m.tokens : null;
		} else turns.push({ role: m.role, content: m.content, tokens: m.tokens });
	}
	return turns;
}

/** The chat's system prompt and model settings, plus the newest history that fits the window. */
export function upstreamRequest(
	row: Chat,
	history: Message[],
	contextTokens: number,
	replyBudget: number,
	systemTokens?: number
): UpstreamRequest {
	const { messages } = fitToWindow(row.systemPrompt, alternate(history), contextTokens, replyBudget, systemTokens);
	return {
		model: modelName(row.settings.model),
		messages,
		temperature: row.settings.temperature,
		top_p: row.settings.top_p,
		presence_penalty: row.settings.presence_penalty,
		frequency_penalty: row.settings.frequency_penalty,
		max_tokens: replyBudget
	};
}
