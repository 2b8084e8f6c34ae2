import OpenAI from 'openai';
import type { ErrorCode } from '../errors';

/** What went wrong upstream, as one of our codes; never the raw error text. */
export function classifyUpstreamError(e: unknown): ErrorCode {
	if (e instanceof OpenAI.APIConnectionError) return 'network';
	if (e instanceof OpenAI.APIError) {
		const code = String(e.code ?? (e.error as { code?: string } | undefined)?.code ?? '');
		if (code === 'context_length_exceeded') return 'context_too_long';
		if (code === 'insufficient_quota') return 'upstream_quota';
		if (e.status === 429) return 'upstream_rate_limit';
		if (e.status === 401 || e.status === 403) return 'upstream_auth';
		if (e.status === undefined) return 'network';
		return 'upstream_error';
	}
	// Stream cut mid-way: fetch/undici throws TypeError('terminated') or similar.
	return 'network';
}
