import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ precompress: true }),
		// The mock upstream (tests, bench, the demo model) is checked JavaScript: type-check it too.
		typescript: {
			config: (tsconfig) => ({ ...tsconfig, include: [...tsconfig.include, '../tools/**/*.js'] })
		},
		// Our own origin check (src/lib/server/hooks/csrf.ts) replaces SvelteKit's: with ORIGIN
		// unset, SvelteKit compares against an https origin and refused every form on plain http,
		// and it looks only at form content types. Ours covers every state-changing request.
		csrf: { trustedOrigins: ['*'] },
		// A strict CSP is the second line behind sanitising: a reply's markup can never run script.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				// Replies' images are links, never loaded (see $lib/markdown): no outside images.
				'img-src': ['self', 'data:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
