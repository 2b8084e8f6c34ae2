import { renderMarkdown } from '$lib/markdown';
import { dbFailure, pool } from './db';
import { openConnectionsAhead } from './db/batch';
import { warmTokenizer } from './llm/tokens';
import { describeError, log } from './log';
import { SAMPLE_CHATS } from './db/seed/data';

let started = false;

/**
 * Gets a process ready for sends once, just after the first page it serves (pages are served
 * only once the database is ready): builds the token counter (100–300 ms, else paid by the
 * first send), opens database connections ahead of the first burst, warms the markdown
 * renderer and loads every route's code. A server nobody visits holds none of it.
 */
export function prepareForSends() {
	if (started) return;
	started = true;
	setImmediate(() => {
		try {
			warmTokenizer();
		} catch (e) {
			// The first count builds it again and says why if it still cannot.
			log.warn({ error: describeError(e) }, 'could not build the token counter ahead');
		}
		void warmRenderer();
		void loadRouteCode();
		// Nothing waits for it; a failure here only means the first sends open their own.
		void openConnectionsAhead(pool).then(
			(connections) => log.info({ connections }, 'database connections opened ahead'),
			(e) => log.warn({ code: dbFailure(e) }, 'could not open database connections ahead')
		);
	});
}

/** Passes over the sample replies: enough for the engine to compile the renderer's hot paths. */
const RENDER_WARM_PASSES = 3;

/**
 * The renderer's first replies cost several times the later ones (its code and patterns are
 * compiled as they are first used: about 60 ms for the sample replies, 10 ms once warm), which
 * the first chat pages after a start would pay. Renders the sample replies (prose, lists,
 * tables, code in several languages) a few times, one reply per turn of the event loop, so
 * no request waits behind more than one.
 */
async function warmRenderer() {
	const replies = SAMPLE_CHATS.flatMap((c) =>
		Object.values(c.text).flatMap((t) => t.messages.filter((m) => m.role === 'assistant').map((m) => m.content))
	);
	for (let pass = 0; pass < RENDER_WARM_PASSES; pass++) {
		for (const text of replies) {
			await nextTurn();
			renderMarkdown(text);
		}
	}
}

/** Lets whatever is waiting (a request) go first: warm-up work runs one piece per turn. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every route's code, as SvelteKit loads it on a route's first visit: the modules of the pages,
 * their server loads and the API endpoints (and what they import: the model client, markdown,
 * highlighting).
 */
const routeModules = import.meta.glob(['/src/routes/**/+*.svelte', '/src/routes/**/+*.ts']);

/**
 * Loads the routes' code, one module per turn of the event loop, after the first page: the
 * visitor's next page otherwise waited for it (on a 2-core machine, a chat page opened 1.5 s
 * after the first page of a fresh process took 170–240 ms; 30–45 ms with its code loaded
 * ahead). Not at start: a server nobody visits keeps about 20 MB less.
 */
async function loadRouteCode() {
	let modules = 0;
	for (const [path, load] of Object.entries(routeModules)) {
		await nextTurn();
		try {
			await load();
			modules++;
		} catch (e) {
			// Its first visit loads it again and fails there, as it would have.
			log.warn({ path, error: describeError(e) }, 'could not load a route ahead');
		}
	}
	log.info({ modules }, 'route code loaded ahead');
}
