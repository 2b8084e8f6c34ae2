import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a streamed chat completion's body (`chat.completions.create(…).asResponse()`) and
 * hands each chunk to `onChunk` as it is parsed. The SDK still builds, authenticates, sends
 * and retries the request and turns an HTTP error into its APIError; only the parsing of
 * the event stream is ours. The SDK's parser copies the whole pending buffer for every
 * network chunk and passes each event through four async generators; at 500 replies of 200
 * chunks that was a seventh of the app's CPU and much of its garbage. Here: one
 * `for await` per network chunk and `eventsource-parser`'s callbacks for the events in it.
 *
 * Errors read as the SDK's own: an `error` object in the data (or an `error` event) throws
 * an APIError, so they are classified the same way.
 */
export async function readChatStream(response: Response, onChunk: (chunk: ChatCompletionChunk) => void): Promise<void> {
	const body = response.body as AsyncIterable<Uint8Array | string> | null;
	if (!body) throw new OpenAI.APIConnectionError({ message: 'the upstream answered without a body' });
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
	for await (const piece of body) {
		parser.feed(typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true }));
		// After [DONE] the rest is read and ignored (as the SDK does), so the connection is reused.
		if (failure) throw failure;
	}
	// A last event whose blank line never came is still read (a cut one fails to parse).
	parser.feed(decoder.decode() + '\n\n');
	if (failure) throw failure;
}
