import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimiter } from './rate-limit';
import { startSession } from './auth';
import { config } from './config';
import { db } from './db';
import { chat, deviceLink, message, passkey, session, share, user } from './db/schema';
import { DomainError, notFound } from './errors';

/**
 * Using one account on several devices: one-time codes and links that sign another
 * browser in, and the list of the account's sessions.
 */

/** No 0/O, 1/I/L: easy to read off one screen and type on another. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;
export const LINK_TTL_MS = 10 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Uppercases and drops spaces and dashes; anything else outside the alphabet is not a code. */
export function normaliseCode(input: string): string | null {
	const code = input.toUpperCase().replace(/[\s-]/g, '');
	if (code.length !== CODE_LENGTH || [...code].some((c) => !CODE_ALPHABET.includes(c))) return null;
	return code;
}

/** `ABCD2345` shown as `ABCD-2345`. */
export const formatCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

// Shared by every process when REDIS_URL is set (see rate-limit.ts).
let limiters:
	{ codes: RateLimiterAbstract; byAddress: RateLimiterAbstract; byAccount: RateLimiterAbstract } | undefined;
function limits() {
	limiters ??= {
		codes: rateLimiter({ name: 'link-codes', points: config().LINK_CODES_PER_ACCOUNT, duration: 600 }),
		byAddress: rateLimiter({
			name: 'link-try-addr',
			points: config().LINK_ATTEMPTS_PER_ADDRESS,
			duration: 900
		}),
		byAccount: rateLimiter({
			name: 'link-try-user',
			points: config().LINK_ATTEMPTS_PER_ADDRESS,
			duration: 900
		})
	};
	return limiters;
}

async function take(limiter: RateLimiterAbstract, key: string) {
	try {
		await limiter.consume(key);
	} catch {
		throw new DomainError('rate_limited', 'Too many attempts; wait a few minutes');
	}
}

export interface NewLink {
	code: string;
	token: string;
	expiresAt: Date;
}

/** A fresh code and link for the account; any earlier unused one stops working. */
export async function createLink(userId: string): Promise<NewLink> {
	await take(limits().codes, userId);
	const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
	const token = randomBytes(24).toString('base64url');
	const expiresAt = new Date(Date.now() + LINK_TTL_MS);
	await db.transaction(async (tx) => {
		await tx.delete(deviceLink).where(and(eq(deviceLink.userId, userId), isNull(deviceLink.usedAt)));
		await tx.insert(deviceLink).values({ userId, codeHash: sha256(code), tokenHash: sha256(token), expiresAt });
	});
	return { code, token, expiresAt };
}

/**
 * Spends a code (typed) or token (from the link) once and returns the account it opens.
 * Wrong, used and expired secrets get the same answer; every attempt counts against the
 * client address and the visiting account, which bounds guessing.
 */
async function spendLink(secret: { code?: string; token?: string }, address: string, visitorId: string) {
	await take(limits().byAddress, address);
	await take(limits().byAccount, visitorId);
	const code = secret.code !== undefined ? normaliseCode(secret.code) : null;
	const token = secret.token && /^[\w-]{32}$/.test(secret.token) ? secret.token : null;
	if (!code && !token) throw new DomainError('link_invalid', 'This code is not valid or has expired');
	const match = code ? eq(deviceLink.codeHash, sha256(code)) : eq(deviceLink.tokenHash, sha256(token!));
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({ id: deviceLink.id, userId: deviceLink.userId })
			.from(deviceLink)
			.where(and(match, isNull(deviceLink.usedAt), gt(deviceLink.expiresAt, new Date())))
			.for('update');
		if (!row) throw new DomainError('link_invalid', 'This code is not valid or has expired');
		await tx
			.update(deviceLink)
			.set({ usedAt: new Date() })
			.where(and(eq(deviceLink.id, row.id), eq(deviceLink.userId, row.userId)));
		return row.userId;
	});
}

/**
 * Signs this browser into the account a code or link opens, with a session of its own.
 * Returns whether the browser changed account (false: it already was that account).
 */
export async function redeemLink(event: RequestEvent, secret: { code?: string; token?: string }) {
	const visitor = event.locals.user;
	const current = event.locals.session;
	if (!visitor || !current) throw new DomainError('unauthorized', 'No session');
	const target = await spendLink(secret, event.getClientAddress(), visitor.id);
	return switchAccount(event, { userId: visitor.id, sessionId: current.id }, target);
}

/**
 * Moves this browser from the account it had to `targetUserId`. The account left behind
 * keeps existing if something else can still reach it (another session, a passkey); if not,
 * the chats the person wrote there move into the target account and the empty shell is
 * deleted, so nothing they wrote on this browser is lost and no unreachable account stays.
 */
export async function switchAccount(
	event: RequestEvent,
	from: { userId: string; sessionId: string },
	targetUserId: string
) {
	if (from.userId === targetUserId) return { switched: false, movedChats: 0 };
	let movedChats = 0;
	await db.transaction(async (tx) => {
		const [other] = await tx
			.select({ id: session.id })
			.from(session)
			.where(
				and(eq(session.userId, from.userId), sql`${session.id} <> ${from.sessionId}`, gt(session.expiresAt, new Date()))
			)
			.limit(1);
		const [key] = await tx.select({ id: passkey.id }).from(passkey).where(eq(passkey.userId, from.userId)).limit(1);
		await tx.delete(session).where(and(eq(session.id, from.sessionId), eq(session.userId, from.userId)));
		if (other || key) return;
		const [left] = await tx.select({ createdAt: user.createdAt }).from(user).where(eq(user.id, from.userId));
		if (!left) return;
		// Sample chats are dated before the account; a chat with a message from the account's
		// own lifetime is one the person wrote in. A chat still streaming stays behind.
		const written = await tx
			.selectDistinct({ id: message.chatId })
			.from(message)
			.where(
				and(
					eq(message.userId, from.userId),
					or(gt(message.createdAt, left.createdAt), eq(message.createdAt, left.createdAt))
				)
			);
		const streaming = await tx
			.selectDistinct({ id: message.chatId })
			.from(message)
			.where(and(eq(message.userId, from.userId), eq(message.status, 'streaming')));
		const busy = new Set(streaming.map((r) => r.id));
		const ids = written.map((r) => r.id).filter((id) => !busy.has(id));
		if (ids.length > 0) {
			await tx
				.update(chat)
				.set({ userId: targetUserId })
				.where(and(eq(chat.userId, from.userId), inArray(chat.id, ids)));
			await tx
				.update(message)
				.set({ userId: targetUserId })
				.where(and(eq(message.userId, from.userId), inArray(message.chatId, ids)));
			await tx
				.update(share)
				.set({ userId: targetUserId })
				.where(and(eq(share.userId, from.userId), inArray(share.chatId, ids)));
		}
		movedChats = ids.length;
		await tx.delete(user).where(eq(user.id, from.userId));
	});
	await startSession(event, targetUserId);
	return { switched: true, movedChats };
}

/** A session's public handle: the session id itself is a secret and never leaves the server. */
const handleOf = (sessionId: string) => sha256(`device:${sessionId}`).slice(0, 20);

export interface Device {
	id: string;
	userAgent: string | null;
	createdAt: Date;
	lastSeenAt: Date | null;
	current: boolean;
}

export async function listDevices(userId: string, currentSessionId: string | null): Promise<Device[]> {
	const rows = await db
		.select({
			id: session.id,
			userAgent: session.userAgent,
			createdAt: session.createdAt,
			lastSeenAt: session.lastSeenAt
		})
		.from(session)
		.where(and(eq(session.userId, userId), gt(session.expiresAt, new Date())));
	return rows
		.map((r) => ({
			id: handleOf(r.id),
			userAgent: r.userAgent,
			createdAt: r.createdAt,
			lastSeenAt: r.lastSeenAt ?? r.createdAt,
			current: r.id === currentSessionId
		}))
		.sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

/** Signs out one of the account's other devices. This browser signs out elsewhere, never here. */
export async function signOutDevice(userId: string, currentSessionId: string | null, deviceId: string) {
	const rows = await db.select({ id: session.id }).from(session).where(eq(session.userId, userId));
	const target = rows.find((r) => handleOf(r.id) === deviceId && r.id !== currentSessionId);
	if (!target) throw notFound('device');
	await db.delete(session).where(and(eq(session.id, target.id), eq(session.userId, userId)));
	return { id: deviceId };
}
