import { dbFailure, pool } from './db';
import { openConnectionsAhead } from './db/batch';
import { warmTokenizer } from './llm/tokens';
import { describeError, log } from './log';

let started = false;

/**
 * Gets a process ready for sends once, just after the first page it serves (pages are served
 * only once the database is ready): builds the token counter (100–300 ms, else paid by the
 * first send) and opens database connections ahead of the first burst. A server nobody
 * visits holds neither (about 40 MB less at rest).
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
		// Nothing waits for it; a failure here only means the first sends open their own.
		void openConnectionsAhead(pool).then(
			(connections) => log.info({ connections }, 'database connections opened ahead'),
			(e) => log.warn({ code: dbFailure(e) }, 'could not open database connections ahead')
		);
	});
}
