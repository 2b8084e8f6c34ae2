import { replayTarget } from '$lib/server/chat/follow';
import { parseIds } from '$lib/server/api-input';
import { errorResponse, jsonError, sseResponse } from '$lib/server/sse';
import { streamError } from '$lib/server/errors';
import { isErrorCode } from '$lib/types/errors';
import type { RequestHandler } from './$types';

/** Replays a reply from its first word and follows it live until it ends. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) return jsonError('unauthorized', 'No session');
	try {
		const { chatId, messageId } = parseIds(params);
		const target = await replayTarget(locals.user.id, chatId, messageId!);
		if (target.live) return sseResponse(target.live);
		const m = target.stored!;
		return sseResponse({
			subscribe(listener) {
				if (m.content) listener({ type: 'delta', text: m.content });
				const usage =
					m.completionTokens === null
						? null
						: { promptTokens: m.promptTokens ?? 0, completionTokens: m.completionTokens };
				if (m.status === 'error')
					listener({ type: 'error', ...streamError(isErrorCode(m.errorCode) ? m.errorCode : 'upstream_error') });
				else listener({ type: 'done', finishReason: m.status === 'stopped' ? 'stopped' : 'stop', usage });
				return () => {};
			}
		});
	} catch (e) {
		return errorResponse(e);
	}
};
