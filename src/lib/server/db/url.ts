/**
 * The database used when DATABASE_URL is unset. The app validates the setting in config.ts;
 * the operator CLI, `npm run db:migrate` and drizzle-kit run outside the app and use
 * `databaseUrl()` instead. A plain module: no SvelteKit imports.
 */
export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/oreai';

export function databaseUrl(env: Record<string, string | undefined> = process.env) {
	return env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
