import { config } from '../config';
import { readChatStream } from '../llm/chat-stream';
import { llm } from '../llm/client';
import { classifyUpstreamError } from '../llm/upstream-errors';
import { errorEnd, type Generation, type Usage } from './generation';
import type { UpstreamRequest } from './history';
import { finishStoring, trackReply, type Ending } from './persist';

export interface GenerationHooks {
	/** The reply has ended (stored or not): free the chat. */
	onEnded(): Promise<void>;
	/** Its last write succeeded, or was given up: nobody needs it in memory any more. */
	onStored(): void;
}

/**
 * The upstream loop: streams the model's answer into the generation while the writer stores
 * it, then stores how it ended. Subscribers hear the end once the last write was tried; if
 * the database is down, the chat is freed anyway and the write goes on in the background.
 */
export async function runGeneration(g: Generation, call: UpstreamCall, hooks: GenerationHooks) {
	trackReply(g);
	const ending: Ending = { status: 'complete', errorCode: null, usage: null };
	let finishReason = 'stop';
	try {
		const result = await consume(g, call);
		finishReason = result.finishReason;
		ending.usage = result.usage;
	} catch (e) {
		if (g.stopReason) {
			ending.status = 'stopped';
			finishReason = 'stopped';
		} else {
			ending.status = 'error';
			ending.errorCode = e instanceof UpstreamTimeout ? 'upstream_timeout' : classifyUpstreamError(e);
		}
	}
	const { first, stored } = finishStoring(g, ending);
	void stored.then(hooks.onStored);
	await first;
	try {
		await hooks.onEnded();
	} finally {
		g.emit(ending.errorCode ? errorEnd(ending.errorCode) : { type: 'done', finishReason, usage: ending.usage });
	}
}

class UpstreamTimeout extends Error {
	name = 'UpstreamTimeout';
}

/**
 * Aborts when the upstream is silent: no first token within the first timeout, then no chunk
 * within the idle timeout. `heard` only notes the time (it runs for every chunk, so no timer
 * is reset there); the one timer checks, when it fires, how long the upstream has been quiet.
 */
function silenceWatch() {
	const c = config();
	const controller = new AbortController();
	let limit = c.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS;
	let last = Date.now();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const check = () => {
		const quiet = Date.now() - last;
		if (quiet >= limit) controller.abort(new UpstreamTimeout(`upstream silent for ${limit} ms`));
		else timer = setTimeout(check, limit - quiet);
	};
	const arm = () => {
		clearTimeout(timer);
		timer = setTimeout(check, limit);
	};
	arm();
	let tokens = false;
	return {
		signal: controller.signal,
		heard(token: boolean) {
			if (tokens) last = Date.now();
			else if (token) {
				// The first token: from now on the idle timeout counts, from this moment.
				tokens = true;
				limit = c.UPSTREAM_IDLE_TIMEOUT_MS;
				last = Date.now();
				arm();
			}
		},
		stop: () => clearTimeout(timer)
	};
}

/** A model call on its way: its response, its silence watch, and the switch that ends it. */
export interface UpstreamCall {
	readonly response: Promise<Response>;
	readonly watch: ReturnType<typeof silenceWatch>;
	/** Ends the call; a reply started from it stops with it (`Generation.abort`). */
	readonly abort: AbortController;
	/** Ends a call no reply will read (the send was refused after it started). */
	cancel(): void;
}

/**
 * Starts the model call. A send calls it as soon as the request is known, before its rows
 * are stored: the model's first token takes hundreds of milliseconds, and the write of the
 * new rows happens meanwhile instead of before.
 */
export function callUpstream(request: UpstreamRequest): UpstreamCall {
	const watch = silenceWatch();
	const abort = new AbortController();
	const response = llm()
		.chat.completions.create(
			{ ...request, stream: true, stream_options: { include_usage: true } },
			{ signal: AbortSignal.any([abort.signal, watch.signal]) }
		)
		.asResponse();
	// Read by consume(); a failure before then must not count as unhandled.
	response.catch(() => undefined);
	return {
		response,
		watch,
		abort,
		cancel() {
			watch.stop();
			abort.abort();
		}
	};
}

/** Reads the model's stream into the generation; throws on any failure, stop and silence included. */
async function consume(g: Generation, call: UpstreamCall) {
	const { watch } = call;
	try {
		const response = await call.response;
		let finishReason: string | null = null;
		let usage: Usage = null;
		await readChatStream(response, (chunk) => {
			const choice = chunk.choices?.[0];
			const delta = choice?.delta?.content;
			watch.heard(Boolean(delta));
			if (delta) g.emit({ type: 'delta', text: delta });
			if (choice?.finish_reason) finishReason = choice.finish_reason;
			if (chunk.usage)
				usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
		});
		if (g.abort.signal.aborted) throw g.abort.signal.reason;
		if (watch.signal.aborted) throw watch.signal.reason;
		if (!finishReason) throw new Error('upstream stream ended without a finish reason');
		return { finishReason, usage };
	} catch (e) {
		// The SDK reports any abort as its own error: say which one it was.
		if (watch.signal.aborted && !g.stopReason) throw watch.signal.reason;
		throw e;
	} finally {
		watch.stop();
	}
}
