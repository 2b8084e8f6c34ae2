// App clients: anonymous visitors with a chat, and one reply streamed from the app or straight from the mock.
import { appBlock, mockBlock, request, timedStream } from './http-client.js';

/** New anonymous visitor: GET / without a cookie → oreai_session. */
async function newVisitor(appUrl) {
	const res = await request(`${appUrl}/`, { headers: { accept: 'text/html' } });
	if (res.status !== 200) throw new Error(`GET / answered ${res.status}: ${res.body.toString().slice(0, 200)}`);
	const cookies = [].concat(res.headers['set-cookie'] ?? []);
	const session = cookies.map((c) => c.match(/^oreai_session=([^;]+)/)?.[1]).find(Boolean);
	if (!session) throw new Error('GET / did not set oreai_session');
	return { cookie: `oreai_session=${session}`, session };
}

async function createChat(appUrl, visitor) {
	const res = await request(`${appUrl}/api/trpc/chats.create`, {
		method: 'POST',
		headers: { cookie: visitor.cookie, origin: appUrl },
		body: {}
	});
	const text = res.body.toString();
	if (res.status !== 200) throw new Error(`chats.create answered ${res.status}: ${text.slice(0, 200)}`);
	const id = JSON.parse(text)?.result?.data?.id;
	if (!id) throw new Error(`chats.create returned no id: ${text.slice(0, 200)}`);
	return id;
}

export async function newUserWithChat(appUrl) {
	const visitor = await newVisitor(appUrl);
	const chatId = await createChat(appUrl, visitor);
	return { ...visitor, chatId };
}

export function appStream(appUrl, user) {
	return timedStream(
		`${appUrl}/api/chats/${user.chatId}/messages`,
		{ headers: { cookie: user.cookie, origin: appUrl }, body: { content: 'hello' }, agent: false },
		appBlock
	);
}

export function mockStream(mockUrl) {
	return timedStream(
		`${mockUrl}/chat/completions`,
		{
			headers: { authorization: 'Bearer bench' },
			body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hello' }] },
			agent: false
		},
		mockBlock
	);
}
