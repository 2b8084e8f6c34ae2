import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import drizzle from 'eslint-plugin-drizzle';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'bench/results/', 'drizzle/']
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig }
		}
	},
	{
		// Every UPDATE and DELETE names its rows: the owner-in-every-WHERE rule, enforced.
		files: ['src/**/*.ts'],
		plugins: { drizzle },
		rules: {
			'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
			'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }]
		}
	},
	{
		// Tests read JSON answers loosely on purpose; the app itself stays strictly typed.
		files: ['tests/**', 'bench/**', '**/*.test.ts', '**/*.test.js'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' }
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'no-empty': ['error', { allowEmptyCatch: false }],
			// No base path is configured, so a plain href is already the resolved route.
			'svelte/no-navigation-without-resolve': 'off'
		}
	}
);
