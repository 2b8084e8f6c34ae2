import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { Visitor } from '../helpers/visitor';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('passkey endpoints refuse what they must', () => {
	let app: RunningApp;
	let alice: Visitor;
	let bob: Visitor;

	const step = (v: Visitor, name: string, body?: unknown) =>
		v.fetch(`/api/passkeys/${name}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
		});

	/** A well-formed assertion whose client data names `challenge`; its signature is junk. */
	const assertion = (challenge: string, id = 'Y3JlZA') => ({
		id,
		rawId: id,
		type: 'public-key',
		response: {
			clientDataJSON: b64(JSON.stringify({ type: 'webauthn.get', challenge, origin: app.url })),
			authenticatorData: b64('x'.repeat(37)),
			signature: b64('sig')
		},
		clientExtensionResults: {}
	});

	beforeAll(async () => {
		app = await startApp();
		[alice, bob] = await Promise.all([Visitor.arrive(app.url), Visitor.arrive(app.url)]);
	});
	afterAll(() => app?.close());

	it('hands out registration options for a discoverable passkey bound to this site', async () => {
		const res = await step(alice, 'register-options');
		expect(res.status).toBe(200);
		const options = await res.json();
		expect(options.rp).toEqual({ name: 'OreAI', id: '127.0.0.1' });
		expect(options.authenticatorSelection.residentKey).toBe('required');
		expect(options.challenge).toMatch(/^[\w-]{20,}$/);
		const [row] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM webauthn_challenge');
		expect(Number(row.n)).toBe(1);
	});

	it('answers malformed bodies and unknown steps clearly', async () => {
		expect((await step(alice, 'register', '{not json')).status).toBe(400);
		expect((await step(alice, 'register', { id: 'x' })).status).toBe(400);
		expect((await step(alice, 'login', { ...assertion('abc'), type: 'other' })).status).toBe(400);
		expect((await step(alice, 'nope')).status).toBe(404);
		expect((await alice.mutate('passkeys.remove', { id: '' })).status).toBe(400);
	});

	it('refuses an answer to a challenge it never gave, or gave to another browser', async () => {
		const never = await step(bob, 'login', assertion('bm90LWlzc3VlZA'));
		expect(never.status).toBe(400);
		expect((await never.json()).code).toBe('passkey_failed');
		const options = await (await step(alice, 'login-options')).json();
		const stolen = await step(bob, 'login', assertion(options.challenge));
		expect(stolen.status).toBe(400);
		// Alice's challenge is still hers: spent only by her own (here failing) attempt.
		const [row] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM webauthn_challenge WHERE challenge = ?', [
			options.challenge
		]);
		expect(Number(row.n)).toBe(1);
		const own = await step(alice, 'login', assertion(options.challenge));
		expect(own.status).toBe(400);
		const [after] = await app.db.query<{ n: number }>('SELECT COUNT(*) n FROM webauthn_challenge WHERE challenge = ?', [
			options.challenge
		]);
		expect(Number(after.n)).toBe(0);
	});

	it('does not let another user list or remove a passkey', async () => {
		const aliceId = (await alice.query('me.get')).body.result.data.id;
		await app.db.query(
			"INSERT INTO passkey (id, user_id, public_key, counter, name) VALUES ('YWxpY2Uta2V5', ?, 'cGs', 0, 'Chrome · Linux')",
			[aliceId]
		);
		expect((await bob.query('passkeys.list')).body.result.data).toEqual([]);
		expect((await bob.html('/me')).body).not.toContain('YWxpY2Uta2V5');
		expect((await bob.mutate('passkeys.remove', { id: 'YWxpY2Uta2V5' })).status).toBe(404);
		expect((await bob.form('/me?/removePasskey', { passkey: 'YWxpY2Uta2V5' })).status).toBe(404);
		expect((await alice.query('passkeys.list')).body.result.data).toHaveLength(1);
		expect((await alice.form('/me?/removePasskey', { passkey: 'YWxpY2Uta2V5' })).status).toBe(303);
		expect((await alice.query('passkeys.list')).body.result.data).toHaveLength(0);
	});

	it('answers 401 without a session', async () => {
		const res = await fetch(app.url + '/api/passkeys/login-options', {
			method: 'POST',
			headers: { origin: app.url }
		});
		expect(res.status).toBe(401);
	});
});
