import type { RequestEvent } from '@sveltejs/kit';
import type {
	AuthenticationResponseJSON,
	AuthenticatorTransport,
	RegistrationResponseJSON
} from '@simplewebauthn/server';
import { and, eq, gt } from 'drizzle-orm';
import { config } from './config';
import { db } from './db';
import { passkey, webauthnChallenge } from './db/schema';
import { switchAccount } from './devices';
import { DomainError, notFound } from './errors';
import { deviceName } from '$lib/user-agent';

/** The WebAuthn library is loaded on the first passkey action: most processes never need it (~20 MB). */
const webauthn = () => import('@simplewebauthn/server');

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server): a way back into the account that
 * does not live in a cookie. Challenges are stored per session and spent once.
 */

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_PASSKEYS = 20;

/**
 * The relying party is this site: with ORIGIN set, its host and origin; without, the host
 * the browser asked for, over either scheme (plain http://localhost works in browsers).
 */
function relyingParty(event: RequestEvent) {
	const origin = config().ORIGIN;
	if (origin) return { rpID: new URL(origin).hostname, origins: [new URL(origin).origin] };
	const host = event.request.headers.get('host') ?? event.url.host;
	return { rpID: host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), origins: [`http://${host}`, `https://${host}`] };
}

function sessionOf(event: RequestEvent) {
	const user = event.locals.user;
	const session = event.locals.session;
	if (!user || !session) throw new DomainError('unauthorized', 'No session');
	return { userId: user.id, sessionId: session.id };
}

async function keepChallenge(sessionId: string, challenge: string, purpose: 'register' | 'authenticate') {
	await db
		.insert(webauthnChallenge)
		.values({ challenge, sessionId, purpose, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) });
}

/** The challenge inside the browser's answer must be one this session was given, unspent and fresh. */
async function spendChallenge(sessionId: string, purpose: 'register' | 'authenticate', clientDataJSON: string) {
	let challenge: unknown;
	try {
		challenge = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')).challenge;
	} catch {
		throw new DomainError('passkey_failed', 'Unreadable client data');
	}
	if (typeof challenge !== 'string' || challenge.length > 128) throw new DomainError('passkey_failed', 'No challenge');
	const [res] = await db
		.delete(webauthnChallenge)
		.where(
			and(
				eq(webauthnChallenge.challenge, challenge),
				eq(webauthnChallenge.sessionId, sessionId),
				eq(webauthnChallenge.purpose, purpose),
				gt(webauthnChallenge.expiresAt, new Date())
			)
		);
	if ((res as { affectedRows: number }).affectedRows !== 1) {
		throw new DomainError('passkey_failed', 'Unknown or spent challenge');
	}
	return challenge;
}

export async function listPasskeys(userId: string) {
	return db
		.select({ id: passkey.id, name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkey.lastUsedAt })
		.from(passkey)
		.where(eq(passkey.userId, userId))
		.orderBy(passkey.createdAt);
}

export async function registrationOptions(event: RequestEvent) {
	const { userId, sessionId } = sessionOf(event);
	const { rpID } = relyingParty(event);
	const existing = await db
		.select({ id: passkey.id, transports: passkey.transports })
		.from(passkey)
		.where(eq(passkey.userId, userId));
	if (existing.length >= MAX_PASSKEYS) throw new DomainError('bad_request', 'Too many passkeys on this account');
	const { generateRegistrationOptions } = await webauthn();
	const options = await generateRegistrationOptions({
		rpName: 'OreAI',
		rpID,
		userID: new TextEncoder().encode(userId),
		userName: `OreAI ${userId.slice(0, 6)}`,
		userDisplayName: 'OreAI',
		attestationType: 'none',
		excludeCredentials: existing.map((k) => ({
			id: k.id,
			transports: k.transports ? (k.transports.split(',') as AuthenticatorTransport[]) : undefined
		})),
		// Discoverable, so signing in needs no user name: the passkey says whose it is.
		authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' }
	});
	await keepChallenge(sessionId, options.challenge, 'register');
	return options;
}

export async function register(event: RequestEvent, response: RegistrationResponseJSON) {
	const { userId, sessionId } = sessionOf(event);
	const { rpID, origins } = relyingParty(event);
	const challenge = await spendChallenge(sessionId, 'register', response.response.clientDataJSON);
	let verified;
	try {
		const { verifyRegistrationResponse } = await webauthn();
		verified = await verifyRegistrationResponse({
			response,
			expectedChallenge: challenge,
			expectedOrigin: origins,
			expectedRPID: rpID,
			requireUserVerification: false
		});
	} catch {
		throw new DomainError('passkey_failed', 'The passkey could not be verified');
	}
	if (!verified.verified || !verified.registrationInfo) throw new DomainError('passkey_failed', 'Not verified');
	const { credential } = verified.registrationInfo;
	const name = deviceName(event.request.headers.get('user-agent')) ?? 'Passkey';
	await db.insert(passkey).values({
		id: credential.id,
		userId,
		publicKey: Buffer.from(credential.publicKey).toString('base64url'),
		counter: credential.counter,
		transports: credential.transports?.join(',') ?? null,
		name: name.slice(0, 100)
	});
	return { id: credential.id, name };
}

export async function authenticationOptions(event: RequestEvent) {
	const { sessionId } = sessionOf(event);
	const { rpID } = relyingParty(event);
	const { generateAuthenticationOptions } = await webauthn();
	const options = await generateAuthenticationOptions({ rpID, userVerification: 'preferred' });
	await keepChallenge(sessionId, options.challenge, 'authenticate');
	return options;
}

/** Verifies a passkey and signs this browser into its account with a new session. */
export async function authenticate(event: RequestEvent, response: AuthenticationResponseJSON) {
	const from = sessionOf(event);
	const { rpID, origins } = relyingParty(event);
	const challenge = await spendChallenge(from.sessionId, 'authenticate', response.response.clientDataJSON);
	const [key] = await db.select().from(passkey).where(eq(passkey.id, response.id)).limit(1);
	if (!key) throw new DomainError('passkey_failed', 'Unknown passkey');
	let verified;
	try {
		const { verifyAuthenticationResponse } = await webauthn();
		verified = await verifyAuthenticationResponse({
			response,
			expectedChallenge: challenge,
			expectedOrigin: origins,
			expectedRPID: rpID,
			credential: {
				id: key.id,
				publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')),
				counter: key.counter,
				transports: key.transports ? (key.transports.split(',') as AuthenticatorTransport[]) : undefined
			},
			requireUserVerification: false
		});
	} catch {
		throw new DomainError('passkey_failed', 'The passkey could not be verified');
	}
	if (!verified.verified) throw new DomainError('passkey_failed', 'Not verified');
	await db
		.update(passkey)
		.set({ counter: verified.authenticationInfo.newCounter, lastUsedAt: new Date() })
		.where(and(eq(passkey.id, key.id), eq(passkey.userId, key.userId)));
	const result = await switchAccount(event, from, key.userId);
	return { ...result, sameAccount: !result.switched };
}

export async function removePasskey(userId: string, id: string) {
	const [res] = await db.delete(passkey).where(and(eq(passkey.id, id), eq(passkey.userId, userId)));
	if ((res as { affectedRows: number }).affectedRows === 0) throw notFound('passkey');
	return { id };
}
