import { json } from '@sveltejs/kit';
import type { StreamEventName, StreamEvents } from '$lib/types/stream';
import { DomainError, httpStatus, type ErrorCode } from './errors';
import type { ReplySource } from './chat/generation';

/** SSE encoder: the last stage of the pipeline (SDK stream → generation → this). */
export function encodeEvent<K extends StreamEventName>(event: K, data: StreamEvents[K]) {
	return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * After the first delta, which goes out at once, deltas arriving within this window go out as
 * one event: a write per client costs a system call, and 500 clients at a token every 5 ms
 * made writes one of the largest costs of a streaming server. A tenth of a second still reads
 * as a steady stream (the page paints once a frame anyway).
 */
const COALESCE_MS = 100;
/**
 * With many readers at once the window widens, up to COALESCE_MAX_MS at 2 × that many live
 * streams (0.5 ms per stream): on a busy server every write is a system call competing with
 * the sends waiting to start, and fewer, larger events cost less for the same text.
 */
const COALESCE_MAX_MS = 250;
let liveStreams = 0;
const coalesceMs = () => Math.min(COALESCE_MAX_MS, Math.max(COALESCE_MS, liveStreams / 2));
/** Bytes queued for one client before it counts as behind and gets nothing more until it reads. */
const QUEUE_BYTES = 64 * 1024;
/** Largest delta event sent at once (characters); a long backlog goes out in pieces. */
const MAX_DELTA_CHARS = 16 * 1024;

/**
 * Streams a reply to one client. The client's position is an offset into the reply's text,
 * which the source keeps once for everybody: a client that does not read gets nothing queued
 * beyond QUEUE_BYTES, and catches up from its offset when it reads again. Memory per client
 * stays bounded whatever the reply length. Closing the response only unsubscribes: the
 * generation goes on and is stored whatever the browser does.
 */
export function sseResponse(source: ReplySource, start?: StreamEvents['start']): Response {
	const encoder = new TextEncoder();
	let unsubscribe = () => {};
	let timer: ReturnType<typeof setTimeout> | undefined;
	let sent = 0;
	let closed = false;
	let ctrl!: ReadableStreamDefaultController<Uint8Array>;
	const send = <K extends StreamEventName>(event: K, data: StreamEvents[K]) =>
		ctrl.enqueue(encoder.encode(encodeEvent(event, data)));
	liveStreams++;
	const end = () => {
		if (!closed) liveStreams--;
		closed = true;
		clearTimeout(timer);
		unsubscribe();
	};
	let pumping = false;
	/** Sends what the client has not got yet, as far as its queue allows; then the end. */
	const pump = () => {
		clearTimeout(timer);
		timer = undefined;
		// enqueue() can call pull() synchronously, which would pump again from a stale offset.
		if (closed || pumping) return;
		pumping = true;
		try {
			const length = source.length;
			while (sent < length && (ctrl.desiredSize ?? 0) > 0) {
				const to = Math.min(length, sent + MAX_DELTA_CHARS);
				let piece = source.slice(sent, to);
				// Never split a surrogate pair between two events.
				const last = piece.charCodeAt(piece.length - 1);
				if (to < length && last >= 0xd800 && last <= 0xdbff) piece = piece.slice(0, -1);
				sent += piece.length;
				send('delta', { text: piece });
			}
			const final = source.final;
			if (final && sent === length) {
				if (final.type === 'done') send('done', { finishReason: final.finishReason, usage: final.usage });
				else send('error', { code: final.code, message: final.message });
				end();
				ctrl.close();
			}
		} catch {
			end(); // the client went away: enqueue or close on a cancelled stream throws
		} finally {
			pumping = false;
		}
	};
	const body = new ReadableStream<Uint8Array>(
		{
			start(controller) {
				ctrl = controller;
				if (start) send('start', start);
				unsubscribe = source.subscribe((e) => {
					if (e.type !== 'delta' || sent === 0) queueMicrotask(pump);
					else timer ??= setTimeout(pump, coalesceMs());
				});
				if (closed) unsubscribe();
			},
			// The client read: one that was behind catches up from its offset.
			pull() {
				if (!timer) pump();
			},
			cancel() {
				end();
			}
		},
		{ highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength }
	);
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
