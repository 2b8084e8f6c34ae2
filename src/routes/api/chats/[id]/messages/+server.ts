import { startReply } from '$lib/server/chat/send';
import { parseIds, sendBody } from '$lib/server/api-input';
import { errorResponse, jsonError, sseResponse } from '$lib/server/sse';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params, request, getClientAddress }) => {
	if (!locals.user) return jsonError('unauthorized', 'No session');
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		return jsonError('bad_request', 'Body must be JSON');
	}
	const input = sendBody.safeParse(body);
	if (!input.success) return jsonError('bad_request', 'Expected {"content": "..."} or {"regenerate": true}');
	try {
		const { chatId } = parseIds(params);
		const { userMessageId, assistantMessageId, generation } = await startReply(
			locals.user,
			chatId,
			input.data,
			getClientAddress()
		);
		return sseResponse(generation, {
			userMessageId: userMessageId === null ? null : String(userMessageId),
			assistantMessageId: String(assistantMessageId)
		});
	} catch (e) {
		return errorResponse(e);
	}
};
