// `npm run db:migrate`: create the database if missing and apply pending migrations, alone.
import { migrateDatabase } from '../src/lib/server/db/migrate';
import { databaseUrl } from '../src/lib/server/db/url';

const url = databaseUrl();
await migrateDatabase(url);
console.log(`migrated ${new URL(url).pathname.slice(1)}`);
