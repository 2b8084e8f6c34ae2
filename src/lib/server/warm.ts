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
 * first send), opens database connections ahead of the first burst, and warms the markdown
 * renderer. A server nobody visits holds neither (about 40 MB less at rest).
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
		warmRenderer();
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
function warmRenderer() {
	const replies = SAMPLE_CHATS.flatMap((c) =>
		Object.values(c.text).flatMap((t) => t.messages.filter((m) => m.role === 'assistant').map((m) => m.content))
	);
	const queue = Array.from({ length: RENDER_WARM_PASSES }, () => replies).flat();
	const next = () => {
		const text = queue.shift();
		if (text === undefined) return;
		renderMarkdown(text);
		setImmediate(next);
	};
	setImmediate(next);
}
