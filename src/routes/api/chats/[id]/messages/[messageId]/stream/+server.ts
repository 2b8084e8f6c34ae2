import { replayTarget } from '$lib/server/chat/follow';
import { storedReply } from '$lib/server/chat/generation';
import { parseIds } from '$lib/server/api-input';
import { errorResponse, jsonError, sseResponse } from '$lib/server/sse';
import type { RequestHandler } from './$types';

/** Replays a reply from its first word and follows it live until it ends. */
export const GET: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) return jsonError('unauthorized', 'No session');
	try {
		const { chatId, messageId } = parseIds(params);
		const target = await replayTarget(locals.user.id, chatId, messageId!);
		return sseResponse(target.live ?? storedReply(target.stored!));
	} catch (e) {
		return errorResponse(e);
	}
};
