import { error, fail, redirect } from '@sveltejs/kit';
import { startReply } from '$lib/server/chat/send';
import { stopReply } from '$lib/server/chat/follow';
import { DomainError, httpStatus } from '$lib/server/errors';
import { asHttpError, orError } from '$lib/server/http';
import { parseIds } from '$lib/server/api-input';
import { caller } from '$lib/server/trpc/router';
import { PAGE_SIZE } from '$lib/server/chat/paging';
import type { Actions, PageServerLoad } from './$types';

function chatIdOf(params: { id: string }) {
	try {
		return parseIds(params).chatId;
	} catch {
		error(404, { message: 'No such chat', code: 'not_found' });
	}
}

export const load: PageServerLoad = async (event) => {
	const id = chatIdOf(event.params);
	// A cursor that is not a message id just means "the newest page".
	const cursor = Number(event.url.searchParams.get('before'));
	const before = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : undefined;
	const api = await caller(event);
	const [chat, me, recent] = await Promise.all([
		orError(api.chats.get({ id, before })),
		orError(api.me.get()),
		orError(api.chats.list({ limit: PAGE_SIZE }))
	]);
	return {
		...chat,
		before: before ?? null,
		quotaLeft: me.quotaLeft,
		recent: recent.map((c) => ({ id: c.id, title: c.title }))
	};
};

async function field(request: Request, name: string) {
	const v = (await request.formData()).get(name);
	return typeof v === 'string' ? v : '';
}

export const actions: Actions = {
	rename: async (event) => {
		const title = (await field(event.request, 'title')).trim();
		if (!title || title.length > 200) return fail(400, { action: 'rename', code: 'bad_request' });
		const api = await caller(event);
		await orError(api.chats.rename({ id: chatIdOf(event.params), title }));
		return { action: 'rename', ok: true };
	},
	clear: async (event) => {
		const api = await caller(event);
		await orError(api.chats.clear({ id: chatIdOf(event.params) }));
		return { action: 'clear', ok: true };
	},
	/** A read-only snapshot at a public link; the owner lands on it to copy the address. */
	share: async (event) => {
		const api = await caller(event);
		const { id } = await orError(api.shares.create({ chatId: chatIdOf(event.params) }));
		redirect(303, `/s/${id}`);
	},
	delete: async (event) => {
		const api = await caller(event);
		await orError(api.chats.delete({ id: chatIdOf(event.params) }));
		redirect(303, '/');
	},
	/** Without JavaScript: stop a reply that another tab or a reload left running. */
	stop: async (event) => {
		const id = chatIdOf(event.params);
		const messageId = Number(await field(event.request, 'message'));
		if (!Number.isSafeInteger(messageId) || messageId <= 0) return fail(400, { action: 'stop', code: 'bad_request' });
		try {
			await stopReply(event.locals.user!.id, id, messageId);
		} catch (e) {
			throw asHttpError(e);
		}
		redirect(303, `/chat/${id}`);
	},
	/** Without JavaScript: wait for the whole reply, then show the chat with it. */
	send: async (event) => {
		const id = chatIdOf(event.params);
		const form = await event.request.formData();
		const regenerate = form.get('regenerate') === '1';
		const content = form.get('content');
		if (!regenerate && typeof content !== 'string') return fail(400, { action: 'send', code: 'bad_request' });
		try {
			const { generation } = await startReply(
				event.locals.user!.id,
				id,
				regenerate ? { regenerate: true } : { content: content as string }
			);
			await generation.finished;
		} catch (e) {
			if (e instanceof DomainError && e.code !== 'not_found') {
				return fail(httpStatus[e.code], {
					action: 'send',
					code: e.code,
					content: typeof content === 'string' ? content : ''
				});
			}
			throw asHttpError(e);
		}
		redirect(303, `/chat/${id}#composer`);
	}
};
