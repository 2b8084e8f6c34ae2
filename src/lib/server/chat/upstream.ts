import { streamError } from '../errors';
import { llm } from '../llm/client';
import { classifyUpstreamError } from '../llm/upstream-errors';
import type { Generation, Usage } from './generation';
import type { UpstreamRequest } from './history';
import { startFlushing, storeEnding, type Ending } from './persist';

/**
 * The upstream loop: streams the model's answer into the generation, keeps it stored while it
 * runs, and stores how it ended. Resolves once the end is stored (or could not be) and every
 * subscriber has been told.
 */
export async function runGeneration(g: Generation, request: UpstreamRequest, onEnded: () => Promise<void>) {
	const flusher = startFlushing(g);
	const ending: Ending = { status: 'complete', errorCode: null, usage: null };
	let finishReason = 'stop';
	try {
		const result = await consume(g, request);
		finishReason = result.finishReason;
		ending.usage = result.usage;
	} catch (e) {
		if (g.stopReason) {
			ending.status = 'stopped';
			finishReason = 'stopped';
		} else {
			ending.status = 'error';
			ending.errorCode = classifyUpstreamError(e);
		}
	}
	await flusher.stop();
	try {
		await storeEnding(g, ending);
	} catch (e) {
		console.error('OreAI: could not store a finished reply', e);
	} finally {
		await onEnded();
		g.emit(
			ending.errorCode
				? { type: 'error', ...streamError(ending.errorCode) }
				: { type: 'done', finishReason, usage: ending.usage }
		);
	}
}

/** Reads the SDK stream into the generation; throws on any failure, stop included. */
async function consume(g: Generation, request: UpstreamRequest) {
	const stream = await llm().chat.completions.create(
		{ ...request, stream: true, stream_options: { include_usage: true } },
		{ signal: g.abort.signal }
	);
	let finishReason: string | null = null;
	let usage: Usage = null;
	for await (const chunk of stream) {
		const choice = chunk.choices[0];
		const delta = choice?.delta?.content;
		if (delta) g.emit({ type: 'delta', text: delta });
		if (choice?.finish_reason) finishReason = choice.finish_reason;
		if (chunk.usage)
			usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
	}
	if (g.abort.signal.aborted) throw g.abort.signal.reason;
	if (!finishReason) throw new Error('upstream stream ended without a finish reason');
	return { finishReason, usage };
}
