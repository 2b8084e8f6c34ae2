/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { IDENTITY_HEADER } from '$lib/offline';

/**
 * The offline shell. An installed OreAI opens without a connection: the app's own files come
 * from this cache, and the chat list (and chats already opened) from the last time they were
 * loaded online. It only ever answers GET: a send, an edit or any other write goes to the
 * network or fails there and then, so nothing is queued behind the person's back.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;
const ASSETS = `oreai-assets-${version}`;
const PAGES = 'oreai-pages';
const assets = new Set([...build, ...files]);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(ASSETS)
			.then((cache) => cache.addAll([...assets]))
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(keys.filter((k) => k.startsWith('oreai-assets-') && k !== ASSETS).map((k) => caches.delete(k)))
			)
			.then(() => sw.clients.claim())
	);
});

/** Pages worth keeping for offline reading: the chat list and single chats. */
const keepable = (url: URL) => url.pathname === '/' || /^\/chat\/[0-9a-z]+$/.test(url.pathname);

/** Where the person the kept pages belong to is noted (never a page's path). */
const OWNER = '/.owner';

/**
 * Keeps one person's pages: a page made for someone else (this device was signed out, or
 * its visitor expired) first drops every copy of the one before; a chat that is gone (404)
 * drops its copy, so a deleted chat cannot be opened offline.
 */
async function keep(url: URL, response: Response) {
	let cache = await caches.open(PAGES);
	const owner = response.headers.get(IDENTITY_HEADER);
	const known = await (await cache.match(OWNER))?.text();
	if (owner && owner !== known) {
		if (known !== undefined) {
			await caches.delete(PAGES);
			cache = await caches.open(PAGES);
		}
		await cache.put(OWNER, new Response(owner));
	}
	if (response.ok && owner) await cache.put(url.pathname, response.clone());
	else if (response.status === 404) await cache.delete(url.pathname);
}

async function page(request: Request, url: URL) {
	try {
		const response = await fetch(request);
		if (keepable(url) && !url.search) await keep(url, response);
		return response;
	} catch (e) {
		// No connection: the last copy of this page, or the chat list, which says it is offline.
		const cache = await caches.open(PAGES);
		const copy = (await cache.match(url.pathname)) ?? (await cache.match('/'));
		if (copy) return copy;
		throw e;
	}
}

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (assets.has(url.pathname)) {
		event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(request)));
	} else if (request.mode === 'navigate') {
		event.respondWith(page(request, url));
	}
	// Everything else (API calls, reply streams, data for client-side navigation) goes to the network as is.
});
