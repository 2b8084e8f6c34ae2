import { json } from '@sveltejs/kit';
import type { StreamEventName, StreamEvents } from '$lib/types/stream';
import { DomainError, httpStatus, type ErrorCode } from './errors';
import type { GenerationEvent } from './chat/generation';

/** SSE encoder: the last stage of the pipeline (SDK stream → generation → this). */
export function encodeEvent<K extends StreamEventName>(event: K, data: StreamEvents[K]) {
	return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

type Source = { subscribe(listener: (e: GenerationEvent) => void): () => void };

/** Deltas arriving within this window go out as one event: far fewer writes per client. */
const COALESCE_MS = 30;

/**
 * Streams a generation to one client. Closing the response only unsubscribes: the
 * generation goes on and is stored whatever the browser does.
 */
export function sseResponse(source: Source, start?: StreamEvents['start']): Response {
	const encoder = new TextEncoder();
	let unsubscribe = () => {};
	let timer: ReturnType<typeof setTimeout> | undefined;
	const body = new ReadableStream<Uint8Array>({
		start(controller) {
			const send = <K extends StreamEventName>(event: K, data: StreamEvents[K]) => {
				try {
					controller.enqueue(encoder.encode(encodeEvent(event, data)));
				} catch {
					// The client went away and the stream is closed: stop listening, the generation goes on.
					unsubscribe();
				}
			};
			if (start) send('start', start);
			let pending = '';
			const flush = () => {
				clearTimeout(timer);
				timer = undefined;
				if (pending) send('delta', { text: pending });
				pending = '';
			};
			unsubscribe = source.subscribe((e) => {
				if (e.type === 'delta') {
					pending += e.text;
					timer ??= setTimeout(flush, COALESCE_MS);
				} else {
					flush();
					if (e.type === 'done') send('done', { finishReason: e.finishReason, usage: e.usage });
					else send('error', { code: e.code, message: e.message });
					queueMicrotask(() => {
						try {
							controller.close();
						} catch {
							/* already closed by the client */
						}
					});
				}
			});
		},
		cancel() {
			clearTimeout(timer);
			unsubscribe();
		}
	});
	return new Response(body, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			'x-accel-buffering': 'no'
		}
	});
}

export function jsonError(code: ErrorCode, message: string) {
	return json({ code, message }, { status: httpStatus[code] });
}

/** Maps a thrown domain error to the JSON error response; anything else is rethrown. */
export function errorResponse(e: unknown): Response {
	if (e instanceof DomainError) return jsonError(e.code, e.message);
	throw e;
}
