// `npm run db:migrate`: create the database if missing and apply pending migrations, alone.
import { migrateDatabase } from '../src/lib/server/db/migrate';

const url = process.env.DATABASE_URL || 'mysql://root@127.0.0.1:3306/oreai';
await migrateDatabase(url);
console.log(`migrated ${new URL(url).pathname.slice(1)}`);
