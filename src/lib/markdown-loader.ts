/**
 * Where the markdown renderer comes from. The server registers it once (it renders every
 * page, synchronously); the browser imports marked and highlight.js only when a reply must be
 * rendered there — a reply streaming in, or a chat opened by in-app navigation — so a chat
 * page's first load carries none of it: hydration keeps the server's HTML as it is.
 */
type Renderer = typeof import('./markdown');

let renderer: Renderer | null = null;
let loading: Promise<Renderer> | null = null;

export function useRenderer(r: Renderer) {
	renderer = r;
}

/** The renderer if it is already here (always on the server). */
export function loadedRenderer(): Renderer | null {
	return renderer;
}

export function loadRenderer(): Promise<Renderer> {
	if (renderer) return Promise.resolve(renderer);
	return (loading ??= import('./markdown').then((r) => (renderer = r)));
}

/** What shows until the renderer is here: the text as typed, nothing interpreted. */
export function plainHtml(text: string) {
	const escaped = text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
	return `<p data-plain class="whitespace-pre-wrap">${escaped}</p>`;
}
