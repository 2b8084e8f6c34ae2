import { json } from '@sveltejs/kit';
import { orError } from '$lib/server/http';
import { caller } from '$lib/server/trpc/router';
import type { RequestHandler } from './$types';

/** Downloads every chat of the visitor as JSON. */
export const GET: RequestHandler = async (event) => {
	const api = await caller(event);
	const chats = await orError(api.chats.export());
	return json(
		{ exportedAt: new Date().toISOString(), chats },
		{
			headers: {
				'content-disposition': `attachment; filename="oreai-chats-${new Date().toISOString().slice(0, 10)}.json"`
			}
		}
	);
};
