import { Tiktoken } from 'js-tiktoken/lite';
import o200k_base from 'js-tiktoken/ranks/o200k_base';

/** Token counting with the o200k_base encoding (GPT-4o family); a close count for others. */
const encoder = new Tiktoken(o200k_base);

// Chat formatting costs a few tokens per message on top of its content.
const PER_MESSAGE_OVERHEAD = 4;

const cache = new Map<string, number>();
const CACHE_LIMIT = 20_000;

export function countTokens(text: string): number {
	return encoder.encode(text).length;
}

/** Tokens a message takes in a request; cached by key (e.g. message id) since history repeats. */
export function messageTokens(content: string, key?: string): number {
	const k = key ? `${key}:${content.length}` : undefined;
	const hit = k ? cache.get(k) : undefined;
	if (hit !== undefined) return hit;
	const n = countTokens(content) + PER_MESSAGE_OVERHEAD;
	if (k) {
		if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
		cache.set(k, n);
	}
	return n;
}
