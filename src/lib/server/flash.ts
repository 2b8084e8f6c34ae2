import type { Cookies } from '@sveltejs/kit';

/**
 * A one-shot notice carried across a POST → 303 → GET: form actions redirect so the
 * address bar never keeps `?/action` (a reload would post again), and the page still
 * says what happened.
 */
const NAME = 'oreai_flash';

export function setFlash(cookies: Cookies, path: string, value: string) {
	cookies.set(NAME, value, { path, httpOnly: true, sameSite: 'lax', maxAge: 60 });
}

export function takeFlash(cookies: Cookies, path: string): string | null {
	const value = cookies.get(NAME) ?? null;
	if (value !== null) cookies.delete(NAME, { path });
	return value;
}
