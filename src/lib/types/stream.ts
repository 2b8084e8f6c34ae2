import type { ErrorCode } from './errors';

/**
 * The reply stream's wire format, shared by the server's SSE encoder, the endpoints, the
 * page's parser and the tests. `POST /api/chats/[id]/messages` sends `start` first; a
 * replay (`GET .../[messageId]/stream`) begins with the deltas. Either ends with exactly
 * one `done` or `error`.
 */
export interface StreamEvents {
	start: { userMessageId: string | null; assistantMessageId: string };
	delta: { text: string };
	done: { finishReason: string; usage: Usage };
	/** The same code and message whether the reply failed just now or is replayed later. */
	error: { code: ErrorCode; message: string };
}

/** Token counts of a reply, when the upstream reported them. */
export type Usage = { promptTokens: number; completionTokens: number } | null;

export type StreamEventName = keyof StreamEvents;

/** One decoded event: the name narrows the payload. */
export type StreamEvent = { [K in StreamEventName]: { event: K; data: StreamEvents[K] } }[StreamEventName];

export const streamEventNames: readonly StreamEventName[] = ['start', 'delta', 'done', 'error'];

export function isStreamEventName(v: string): v is StreamEventName {
	return (streamEventNames as readonly string[]).includes(v);
}
