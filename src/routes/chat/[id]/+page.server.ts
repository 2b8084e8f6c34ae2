import { error, fail, redirect } from '@sveltejs/kit';
import { startReply, type SendInput } from '$lib/server/chat/send';
import { stopReply } from '$lib/server/chat/follow';
import { DomainError, httpStatus } from '$lib/server/errors';
import { asHttpError, orError } from '$lib/server/http';
import { parseIds } from '$lib/server/api-input';
import { caller } from '$lib/server/trpc/router';
import { PAGE_SIZE } from '$lib/server/chat/paging';
import { config } from '$lib/server/config';
import { quotaLeft } from '$lib/server/account';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

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
	// Without JavaScript, "Edit" is a link that opens this message's editor on the server.
	const editing = Number(event.url.searchParams.get('edit'));
	const api = await caller(event);
	const [chat, recent] = await Promise.all([
		orError(api.chats.get({ id, before })),
		orError(api.chats.list({ limit: PAGE_SIZE }))
	]);
	return {
		...chat,
		// What the page shows of each: the rest of a row would only weigh on every page load.
		chat: { id: chat.chat.id, title: chat.chat.title },
		messages: chat.messages.map(({ id, role, content, status, errorCode }) => ({
			id,
			role,
			content,
			status,
			errorCode
		})),
		before: before ?? null,
		editing: Number.isSafeInteger(editing) && editing > 0 ? editing : null,
		maxChars: config().MAX_MESSAGE_CHARS,
		// The person as read with the session for this very request: no second read.
		quotaLeft: quotaLeft(event.locals.user!),
		recent: recent.map((c) => ({ id: c.id, title: c.title }))
	};
};

async function field(request: Request, name: string) {
	const v = (await request.formData()).get(name);
	return typeof v === 'string' ? v : '';
}

/** A message id from a form field, or null when it is not one. */
function messageIdOf(value: FormDataEntryValue | null) {
	const id = Number(value);
	return typeof value === 'string' && Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Back to the chat, at its newest message: the address never keeps `?/action`. */
const backToChat = (id: string): never => redirect(303, `/chat/${id}#latest`);

/**
 * Starts a reply and redirects at once: the page shows it streaming and, without
 * JavaScript, refreshes itself until it is done. A refused send comes back with its text.
 */
async function startAndReturn(event: RequestEvent, input: SendInput, content: string) {
	const id = chatIdOf(event.params);
	try {
		await startReply(event.locals.user!, id, input, event.getClientAddress());
	} catch (e) {
		if (e instanceof DomainError && e.code !== 'not_found') {
			return fail(httpStatus[e.code], { action: 'send', code: e.code, content });
		}
		throw asHttpError(e);
	}
	return backToChat(id);
}

export const actions: Actions = {
	rename: async (event) => {
		const title = (await field(event.request, 'title')).trim();
		if (!title || title.length > 200) return fail(400, { action: 'rename', code: 'bad_request' });
		const api = await caller(event);
		await orError(api.chats.rename({ id: chatIdOf(event.params), title }));
		return backToChat(chatIdOf(event.params));
	},
	clear: async (event) => {
		const api = await caller(event);
		await orError(api.chats.clear({ id: chatIdOf(event.params) }));
		return backToChat(chatIdOf(event.params));
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
		const messageId = messageIdOf(await field(event.request, 'message'));
		if (!messageId) return fail(400, { action: 'stop', code: 'bad_request' });
		try {
			await stopReply(event.locals.user!.id, id, messageId);
		} catch (e) {
			throw asHttpError(e);
		}
		return backToChat(id);
	},
	/** Shows another version of a message (the "‹ 1/2 ›" switcher). */
	version: async (event) => {
		const id = chatIdOf(event.params);
		const messageId = messageIdOf((await event.request.formData()).get('message'));
		if (!messageId) return fail(400, { action: 'version', code: 'bad_request' });
		const api = await caller(event);
		await orError(api.chats.showVersion({ id, messageId }));
		redirect(303, `/chat/${id}#m${messageId}`);
	},
	/** Deletes one message and what followed it. */
	deleteMessage: async (event) => {
		const id = chatIdOf(event.params);
		const messageId = messageIdOf((await event.request.formData()).get('message'));
		if (!messageId) return fail(400, { action: 'deleteMessage', code: 'bad_request' });
		const api = await caller(event);
		await orError(api.chats.deleteMessage({ id, messageId }));
		return backToChat(id);
	},
	/** Edit and resend: a new version of the person's message, answered afresh. */
	edit: async (event) => {
		const form = await event.request.formData();
		const editOf = messageIdOf(form.get('message'));
		const content = form.get('content');
		if (!editOf || typeof content !== 'string') return fail(400, { action: 'send', code: 'bad_request' });
		return startAndReturn(event, { content, editOf }, content);
	},
	/** Without JavaScript: a new message, or another answer (`regenerate`, optionally of `message`). */
	send: async (event) => {
		const form = await event.request.formData();
		const content = form.get('content');
		if (form.get('regenerate') === '1') {
			const messageId = messageIdOf(form.get('message'));
			if (form.has('message') && !messageId) return fail(400, { action: 'send', code: 'bad_request' });
			return startAndReturn(event, { regenerate: true, ...(messageId ? { messageId } : {}) }, '');
		}
		if (typeof content !== 'string') return fail(400, { action: 'send', code: 'bad_request' });
		return startAndReturn(event, { content }, content);
	}
};
