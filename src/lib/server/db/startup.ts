import { config } from '../config';
import { db, dbFailure, pool } from '.';
import { log } from '../log';
import { fitPoolsToServer, useSocket } from './batch';
import { localSocket } from './socket';
import { migrateDatabase } from './migrate';
import { seedPrompts } from './seed';

/**
 * Whether the database can serve the app: reachable, migrated and seeded. The app starts
 * listening before that (so health checks answer) and keeps trying until the database is up.
 */
export interface DbState {
	/** Migrations applied and prompts seeded; requests can use the database. */
	ready: boolean;
	/** The last reason the start-up could not finish, while not ready. */
	lastError: string | null;
}

const state: DbState = { ready: false, lastError: null };

export const dbState = (): Readonly<DbState> => state;
export const dbReady = () => state.ready;

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/**
 * Migrates and seeds, retrying with backoff until it succeeds, then runs `afterReady` (recovery
 * work that needs the database). Logs the first failure and then every change of reason.
 */
export async function startDatabase(afterReady: () => Promise<void>) {
	let delay = RETRY_MIN_MS;
	let fitted = false;
	for (;;) {
		try {
			await migrateDatabase(config().DATABASE_URL);
			if (!fitted) {
				const socket = await localSocket(config().DATABASE_URL, config().DATABASE_SOCKET);
				if (socket) {
					useSocket(socket, pool);
					log.info({ socket }, 'database reached through its local socket');
				}
				const perPool = await fitPoolsToServer(pool);
				fitted = true;
				if (perPool < config().DB_POOL_SIZE) {
					log.info({ perPool, workers: config().WORKERS }, 'database pools fitted to the server max_connections');
				}
			}
			await seedPrompts(db);
			await afterReady();
			break;
		} catch (e) {
			const reason = dbFailure(e);
			if (reason !== state.lastError) log.warn({ code: reason }, 'database not ready, retrying');
			state.lastError = reason;
			// Unref'd: a process told to stop must not stay alive for a database that never came.
			await new Promise((r) => setTimeout(r, delay).unref());
			delay = Math.min(delay * 2, RETRY_MAX_MS);
		}
	}
	if (state.lastError) log.info('database ready');
	state.ready = true;
	state.lastError = null;
}
