// `npm run admin -- <command>`: the operator's CLI. Run `npm run admin -- help` for usage.
import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import * as schema from '../src/lib/server/db/schema';
import { databaseUrl } from '../src/lib/server/db/url';
import * as admin from '../src/lib/server/ops/admin';

const usage = `OreAI operator CLI (database from DATABASE_URL)

  npm run admin -- users [--limit 20]              recent users with quota and usage
  npm run admin -- grant <calls> --user <id>       raise one user's quota by <calls>
  npm run admin -- grant <calls> --all             raise every user's quota by <calls>
  npm run admin -- usage [--days 14] [--user <id>] model calls and tokens per day (UTC)
  npm run admin -- purge --unseen-days <n> [--yes] delete users not seen for <n> days
                                                   (without --yes: only count them)
Add --json for machine-readable output. Each action is logged as one JSON line on stderr.`;

// Actions go to stderr as JSON lines (collect them like any log); results go to stdout.
const log = pino({ base: { tool: 'oreai-admin', operator: userInfo().username } }, pino.destination(2));

const options = {
	limit: { type: 'string' },
	user: { type: 'string' },
	all: { type: 'boolean' },
	days: { type: 'string' },
	'unseen-days': { type: 'string' },
	yes: { type: 'boolean' },
	json: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' }
} as const;

function wholeNumber(name: string, raw: string | undefined, fallback?: number) {
	if (raw === undefined && fallback !== undefined) return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number of at least 1`);
	return n;
}

function fail(message: string): never {
	console.error(`oreai-admin: ${message}\n\n${usage}`);
	process.exit(2);
}

function print(rows: Record<string, unknown>[]) {
	if (values.json) return console.log(JSON.stringify(rows));
	if (!rows.length) return console.log('(none)');
	const cell = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : String(v ?? '-'));
	const keys = Object.keys(rows[0]);
	const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
	console.log(line(keys));
	for (const r of rows) console.log(line(keys.map((k) => cell(r[k]))));
}

const { positionals, values } = (() => {
	try {
		return parseArgs({ allowPositionals: true, options });
	} catch (e) {
		fail((e as Error).message);
	}
})();

const [command, ...rest] = positionals;
if (!command || command === 'help' || values.help) {
	console.log(usage);
	process.exit(command || values.help ? 0 : 2);
}

const pool = mysql.createPool({
	uri: databaseUrl(),
	connectionLimit: 2,
	timezone: 'Z'
});
pool.pool.on('connection', (conn) => conn.query("SET time_zone = '+00:00'"));
const db = drizzle({ client: pool, schema, mode: 'default' });

try {
	switch (command) {
		case 'users': {
			const limit = wholeNumber('--limit', values.limit, 20);
			print(await admin.recentUsers(db, limit));
			log.info({ action: 'users', limit }, 'listed users');
			break;
		}
		case 'grant': {
			const calls = wholeNumber('<calls>', rest[0]);
			if (!values.user === !values.all) fail('grant needs exactly one of --user <id> or --all');
			const target = values.user ? { userId: values.user } : { all: true as const };
			const users = await admin.grantQuota(db, calls, target);
			if (values.user && users === 0) {
				log.warn({ action: 'grant', calls, user: values.user, users }, 'no such user');
				fail(`no user with id ${values.user}`);
			}
			log.info({ action: 'grant', calls, ...target, users }, 'quota granted');
			print([{ granted: calls, users }]);
			break;
		}
		case 'usage': {
			const days = wholeNumber('--days', values.days, 14);
			print(await admin.usagePerDay(db, days, values.user));
			log.info({ action: 'usage', days, user: values.user }, 'showed usage');
			break;
		}
		case 'purge': {
			const days = wholeNumber('--unseen-days', values['unseen-days']);
			if (!values.yes) {
				const users = await admin.countUnseenUsers(db, days);
				log.info({ action: 'purge', days, dryRun: true, users }, 'counted users to delete');
				print([{ unseenDays: days, wouldDelete: users, note: 'add --yes to delete' }]);
				break;
			}
			const deleted = await admin.deleteUnseenUsers(db, days);
			log.info({ action: 'purge', days, deleted }, 'deleted unseen users');
			print([{ unseenDays: days, deleted }]);
			break;
		}
		default:
			fail(`unknown command "${command}"`);
	}
} catch (e) {
	log.error({ action: command, err: (e as Error).message }, 'failed');
	console.error(`oreai-admin: ${(e as Error).message}`);
	process.exitCode = 1;
} finally {
	await pool.end();
}
