import { json } from '@sveltejs/kit';
import { stopReply } from '$lib/server/chat/follow';
import { parseIds } from '$lib/server/api-input';
import { errorResponse, jsonError } from '$lib/server/sse';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params }) => {
	if (!locals.user) return jsonError('unauthorized', 'No session');
	try {
		const { chatId, messageId } = parseIds(params);
		const row = await stopReply(locals.user.id, chatId, messageId!);
		return json({ id: String(row.id), status: row.status });
	} catch (e) {
		return errorResponse(e);
	}
};
