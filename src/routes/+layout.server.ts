import * as markdown from '$lib/markdown';
import { useRenderer } from '$lib/markdown-loader';
import { config } from '$lib/server/config';
import type { LayoutServerLoad } from './$types';

// Every page renders replies on the server; the browser loads the renderer only when needed.
useRenderer(markdown);

export const load: LayoutServerLoad = ({ locals }) => ({
	locale: locals.locale,
	theme: locals.theme,
	demoModel: config().demoModel
});
