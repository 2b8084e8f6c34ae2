import { defineConfig } from 'drizzle-kit';

export default defineConfig({
	schema: './src/lib/server/db/schema.ts',
	out: './drizzle',
	dialect: 'mysql',
	dbCredentials: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/oreai' }
});
