import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { finished, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * Reads a streamed chat completion's body (`chat.completions.create(…).asResponse()`) and
 * hands each chunk to `onChunk` as it is parsed. The SDK still builds, authenticates, sends
 * and retries the request and turns an HTTP error into its APIError; only the parsing of
 * the event stream is ours. The SDK's parser copies the whole pending buffer for every
 * network chunk and passes each event through four async generators; at 500 replies of 200
 * chunks that was a seventh of the app's CPU and much of its garbage. Here: the body's
 * `data` events (an async iterator costs promises and ticks for every network chunk, which
 * SvelteKit's async context tracking makes dearer still) and `eventsource-parser`'s
 * callbacks for the events in each.
 *
 * Errors read as the SDK's own: an `error` object in the data (or an `error` event) throws
 * an APIError, so they are classified the same way.
 */
export function readChatStream(response: Response, onChunk: (chunk: ChatCompletionChunk) => void): Promise<void> {
	const raw = response.body as ReadableStream<Uint8Array> | Readable | null;
	if (!raw) throw new OpenAI.APIConnectionError({ message: 'the upstream answered without a body' });
	// The upstream transport gives a Node stream; a WHATWG one (another fetch) is read as one.
	const body = raw instanceof ReadableStream ? Readable.fromWeb(raw as WebReadableStream<Uint8Array>) : raw;
	let failure: unknown = null;
	let done = false;
	const parser = createParser({
		onEvent(e: EventSourceMessage) {
			if (done || failure) return;
			if (e.data.startsWith('[DONE]')) {
				done = true;
				return;
			}
			try {
				const data = JSON.parse(e.data);
				if (e.event === 'error') throw new OpenAI.APIError(undefined, data?.error, data?.message, undefined);
				if (data?.error) throw new OpenAI.APIError(undefined, data.error, undefined, response.headers);
				onChunk(data as ChatCompletionChunk);
			} catch (err) {
				failure = err;
			}
		}
	});
	const decoder = new TextDecoder();
	return new Promise((resolve, reject) => {
		body.on('data', (piece: Uint8Array | string) => {
			if (failure) return;
			parser.feed(typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true }));
			// After [DONE] the rest is read and ignored (as the SDK does), so the connection is reused.
			if (failure) body.destroy();
		});
		// Once: at the end, on an error, or on a close before the end (an abort among them).
		finished(body, (err) => {
			if (!failure && !err) {
				// A last event whose blank line never came is still read (a cut one fails to parse).
				parser.feed(decoder.decode() + '\n\n');
			}
			if (failure) reject(failure);
			else if (err) reject(err);
			else resolve();
		});
	});
}
