import { DrizzleMySQLAdapter } from '@lucia-auth/adapter-drizzle';
import type { RequestEvent } from '@sveltejs/kit';
import DataLoader from 'dataloader';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { generateIdFromEntropySize, Lucia, type Session, type User } from 'lucia';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { config } from './config';
import { isHttps } from './origin';
import { describeError, log } from './log';
import { db } from './db';
import { session as sessionTable, user as userTable } from './db/schema';
import { giveSampleChats } from './db/seed';
import { DomainError } from './errors';
import { rateLimiter } from './rate-limit';
import * as metrics from './ops/metrics';
import type { Locale } from '$lib/i18n/locales';

/**
 * Lucia's drizzle adapter, with the session read (every request that carries a cookie) built
 * once as a prepared query instead of for every request; and the reads of requests that
 * arrive together made as one (`IN (…)`): 500 sends at once were 500 session reads, each a
 * write to the database's socket and a result to parse, on a server whose one core the sends
 * already share. Requests read in the same turn of the event loop share a query (at most
 * SESSIONS_PER_READ); a request alone uses the prepared one. Nothing is cached: each read
 * sees the session as the database has it then.
 */
const SESSIONS_PER_READ = 100;

type SessionAndUser = { user: typeof userTable.$inferSelect; session: typeof sessionTable.$inferSelect };

class SessionAdapter extends DrizzleMySQLAdapter {
	private readonly sessionAndUser = () =>
		db
			.select({ user: userTable, session: sessionTable })
			.from(sessionTable)
			.innerJoin(userTable, eq(sessionTable.userId, userTable.id));
	private readonly one = this.sessionAndUser()
		.where(eq(sessionTable.id, sql.placeholder('id')))
		.prepare();
	private readonly reads = new DataLoader<string, SessionAndUser | null>(
		async (ids) => {
			const rows: SessionAndUser[] =
				ids.length === 1
					? await this.one.execute({ id: ids[0] })
					: await this.sessionAndUser().where(inArray(sessionTable.id, [...ids]));
			const byId = new Map(rows.map((r) => [r.session.id, r]));
			return ids.map((id) => byId.get(id) ?? null);
		},
		{ cache: false, maxBatchSize: SESSIONS_PER_READ, batchScheduleFn: (read) => setImmediate(read) }
	);

	override async getSessionAndUser(sessionId: string): ReturnType<DrizzleMySQLAdapter['getSessionAndUser']> {
		const row = await this.reads.load(sessionId);
		if (!row) return [null, null];
		const { id, userId, expiresAt, ...sessionAttributes } = row.session;
		const { id: uid, ...userAttributes } = row.user;
		return [
			{ id, userId, expiresAt, attributes: sessionAttributes },
			{ id: uid, attributes: userAttributes }
		];
	}
}

const adapter = new SessionAdapter(db, sessionTable, userTable);

export const lucia = new Lucia(adapter, {
	sessionCookie: { name: 'oreai_session', attributes: { sameSite: 'lax' } },
	getSessionAttributes: (a) => ({ lastSeenAt: a.lastSeenAt ?? null }),
	getUserAttributes: (a) => ({
		quotaUsed: a.quotaUsed,
		quotaLimit: a.quotaLimit,
		locale: a.locale as Locale | null,
		theme: a.theme,
		lastSeenAt: a.lastSeenAt
	})
});

declare module 'lucia' {
	interface Register {
		Lucia: typeof lucia;
		DatabaseUserAttributes: Omit<typeof userTable.$inferSelect, 'id'>;
		DatabaseSessionAttributes: { userAgent?: string | null; createdAt?: Date; lastSeenAt?: Date | null };
	}
}

// Shared by every process when REDIS_URL is set (see rate-limit.ts).
let registrations: RateLimiterAbstract | undefined;
function registrationLimiter() {
	registrations ??= rateLimiter({
		name: 'register',
		points: config().REGISTER_LIMIT,
		duration: config().REGISTER_WINDOW_SECONDS
	});
	return registrations;
}

// Set-Cookie headers set while handling a request, for responses SvelteKit does not add them
// to: those a handle makes itself, like tRPC's (see `withSessionCookie`).
const cookieHeaders = new WeakMap<RequestEvent, string>();

function setSessionCookie(event: RequestEvent, session: Session) {
	const cookie = lucia.createSessionCookie(session.id);
	const options = {
		...cookie.attributes,
		path: '/',
		httpOnly: true,
		sameSite: 'lax' as const,
		// Secure only where the browser reached us over https: a plain-http LAN host drops a
		// Secure cookie, and adapter-node's event.url says https whenever ORIGIN is unset.
		secure: isHttps(event)
	};
	event.cookies.set(cookie.name, cookie.value, options);
	cookieHeaders.set(event, event.cookies.serialize(cookie.name, cookie.value, options));
}

/** The response with the session cookie set during this request, if it does not carry it yet. */
export function withSessionCookie(event: RequestEvent, response: Response): Response {
	const header = cookieHeaders.get(event);
	if (!header) return response;
	const name = lucia.sessionCookieName + '=';
	if (response.headers.getSetCookie().some((c) => c.startsWith(name))) return response;
	const headers = new Headers(response.headers);
	headers.append('set-cookie', header);
	return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Validates the session cookie; extends the session and notes the visit while it is used. */
export async function readSession(event: RequestEvent): Promise<{ user: User | null; session: Session | null }> {
	const id = event.cookies.get(lucia.sessionCookieName);
	if (!id) return { user: null, session: null };
	const { session, user } = await lucia.validateSession(id);
	if (!session) {
		event.cookies.delete(lucia.sessionCookieName, { path: '/' });
		return { user: null, session: null };
	}
	if (session.fresh) setSessionCookie(event, session);
	// Noting the visit (at most once a minute) runs beside the request instead of before it: on
	// a busy server every awaited write costs the request a turn of the event loop. A first
	// return is awaited, though: it claims the user, who would otherwise be swept as unclaimed.
	const now = new Date();
	const notes: Promise<unknown>[] = [];
	if (now.getTime() - (user.lastSeenAt?.getTime() ?? 0) > 60_000) {
		notes.push(db.update(userTable).set({ lastSeenAt: now }).where(eq(userTable.id, user.id)));
	}
	if (now.getTime() - (session.lastSeenAt?.getTime() ?? 0) > 60_000) {
		notes.push(
			db
				.update(sessionTable)
				.set({ lastSeenAt: now })
				.where(and(eq(sessionTable.id, session.id), eq(sessionTable.userId, user.id)))
		);
	}
	const noted = Promise.all(notes);
	if (!user.lastSeenAt) await noted;
	// The error's kind only: a driver's message quotes the statement and its parameters (the session id).
	else noted.catch((e) => log.warn({ error: describeError(e) }, 'could not note a visit'));
	return { user, session };
}

/** A new session for an existing user in this browser, remembering the device for /me. */
export async function startSession(event: RequestEvent, userId: string) {
	const userAgent = event.request.headers.get('user-agent')?.slice(0, 255) ?? null;
	const session = await lucia.createSession(userId, { userAgent, lastSeenAt: new Date() });
	setSessionCookie(event, session);
	return session;
}

/**
 * Creates an anonymous user with a session and the sample chats. Rate-limited per client
 * address; throws `rate_limited` past the limit.
 */
export async function registerAnonymous(event: RequestEvent, locale: Locale) {
	const address = event.getClientAddress();
	try {
		await registrationLimiter().consume(address);
	} catch {
		metrics.registrationsRefused.inc();
		throw new DomainError('rate_limited', 'Too many new visitors from this address');
	}
	const id = generateIdFromEntropySize(10);
	await db.transaction(async (tx) => {
		await tx.insert(userTable).values({ id, quotaLimit: config().DEFAULT_QUOTA, locale: null });
		await giveSampleChats(tx, id, locale);
	});
	metrics.registrations.inc();
	const session = await startSession(event, id);
	const { user } = await lucia.validateSession(session.id);
	return { user: user!, session };
}

/**
 * Removes users that never came back with their cookie (bots, `curl` loops) once they are
 * older than the TTL. With the per-address limit this bounds rows from cookieless clients
 * to REGISTER_LIMIT per window per address, each living at most the TTL.
 */
export async function sweepUnclaimedUsers(now = new Date()) {
	const cutoff = new Date(now.getTime() - config().UNCLAIMED_USER_TTL_SECONDS * 1000);
	const [result] = await db.delete(userTable).where(and(isNull(userTable.lastSeenAt), lt(userTable.createdAt, cutoff)));
	await db.execute(sql`DELETE FROM session WHERE expires_at < NOW()`);
	// One-time device codes and WebAuthn challenges live minutes; drop the dead ones.
	await db.execute(sql`DELETE FROM device_link WHERE expires_at < NOW() OR used_at IS NOT NULL`);
	await db.execute(sql`DELETE FROM webauthn_challenge WHERE expires_at < NOW()`);
	return (result as { affectedRows: number }).affectedRows;
}
