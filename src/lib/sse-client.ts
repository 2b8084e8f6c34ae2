import { isStreamEventName, type StreamEvent } from './types/stream';

/**
 * Reads a reply stream (`text/event-stream`) and calls `onEvent` per complete event, typed
 * by its name. Events this client does not know are skipped. Used by the page and the tests.
 */
export async function readEvents(
	response: Response,
	onEvent: (e: StreamEvent) => void,
	signal?: AbortSignal
): Promise<void> {
	if (!response.body) return;
	const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
	// Cancelling an already finished reader rejects; there is nothing left to stop then.
	const cancel = () => reader.cancel().catch(() => undefined);
	signal?.addEventListener('abort', cancel);
	let buffer = '';
	try {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			buffer += value;
			let end: number;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				let event = 'message';
				let data = '';
				for (const line of block.split('\n')) {
					if (line.startsWith('event:')) event = line.slice(6).trim();
					else if (line.startsWith('data:')) data += line.slice(5).trim();
				}
				// The server writes each payload with the type its event name promises.
				if (isStreamEventName(event) && data) onEvent({ event, data: JSON.parse(data) } as StreamEvent);
			}
		}
	} finally {
		signal?.removeEventListener('abort', cancel);
	}
}
