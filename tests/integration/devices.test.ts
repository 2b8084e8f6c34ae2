import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app';
import { readSse, Visitor } from '../helpers/visitor';

/** A visitor behind its own client address (the app trusts X-Forwarded-For in this suite). */
class Device extends Visitor {
	constructor(
		base: string,
		public address: string
	) {
		super(base);
	}
	override fetch(path: string, init: RequestInit = {}) {
		const headers = new Headers(init.headers);
		headers.set('x-forwarded-for', this.address);
		return super.fetch(path, { ...init, headers });
	}
	static async at(base: string, address: string) {
		const d = new Device(base, address);
		const res = await d.fetch('/');
		if (res.status !== 200) throw new Error(`arrival answered ${res.status}`);
		await res.text();
		return d;
	}
	async userId(): Promise<string> {
		return (await this.query('me.get')).body.result.data.id;
	}
}

let next = 1;
const newAddress = () => `10.0.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;

async function makeCode(v: Visitor) {
	const res = await v.form('/me?/link', {});
	expect(res.status).toBe(200);
	const html = await res.text();
	const code = html.match(/data-testid="code"[^>]*>([A-Z0-9-]+)</)?.[1];
	const url = html.match(/data-testid="link-url"[^>]*>([^<]+)</)?.[1];
	expect(code, 'code shown').toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
	expect(html).toMatch(/<svg[^>]*>/);
	return { code: code!, url: url! };
}

describe('one account on several devices', () => {
	let app: RunningApp;

	beforeAll(async () => {
		app = await startApp({ ADDRESS_HEADER: 'x-forwarded-for', LINK_ATTEMPTS_PER_ADDRESS: '5' });
	});
	afterAll(() => app?.close());

	it('signs a second browser into the same account by typed code, with its own session', async () => {
		const alice = await Device.at(app.url, newAddress());
		const phone = await Device.at(app.url, newAddress());
		const aliceId = await alice.userId();
		const phoneOldId = await phone.userId();
		const { code } = await makeCode(alice);

		const res = await phone.form('/me?/redeem', { code: code.toLowerCase().replace('-', ' ') });
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe('/me#devices');
		expect((await phone.html('/me')).body).toContain('now signed in to your account');
		expect(await phone.userId()).toBe(aliceId);
		expect((await phone.chatIds()).sort()).toEqual((await alice.chatIds()).sort());
		expect(phone.cookie).not.toBe(alice.cookie);

		// The phone's untouched anonymous account had nothing of the person's: it is gone.
		const rows = await app.db.query('SELECT id FROM user WHERE id = ?', [phoneOldId]);
		expect(rows).toHaveLength(0);
		const { body } = await alice.html('/me');
		expect(body.match(/data-testid="device"/g)).toHaveLength(2);
		expect(body).toContain('This device');
	});

	it('refuses a code the second time it is used', async () => {
		const alice = await Device.at(app.url, newAddress());
		const { code } = await makeCode(alice);
		const first = await Device.at(app.url, newAddress());
		expect((await first.form('/me?/redeem', { code })).status).toBe(303);
		const second = await Device.at(app.url, newAddress());
		const before = await second.userId();
		const res = await second.form('/me?/redeem', { code });
		expect(res.status).toBe(400);
		expect(await res.text()).toContain('already used or has expired');
		expect(await second.userId()).toBe(before);
	});

	it('refuses an expired code', async () => {
		const alice = await Device.at(app.url, newAddress());
		const { code } = await makeCode(alice);
		await app.db.query('UPDATE device_link SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE user_id = ?', [
			await alice.userId()
		]);
		const other = await Device.at(app.url, newAddress());
		const before = await other.userId();
		const res = await other.form('/me?/redeem', { code });
		expect(res.status).toBe(400);
		expect(await other.userId()).toBe(before);
	});

	it('stores only hashes of codes and links, and a new code replaces the old one', async () => {
		const alice = await Device.at(app.url, newAddress());
		const first = await makeCode(alice);
		const second = await makeCode(alice);
		const rows = await app.db.query<{ code_hash: string; token_hash: string }>(
			'SELECT code_hash, token_hash FROM device_link WHERE user_id = ?',
			[await alice.userId()]
		);
		expect(rows).toHaveLength(1);
		expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(rows)).not.toContain(second.code.replace('-', ''));
		const other = await Device.at(app.url, newAddress());
		expect((await other.form('/me?/redeem', { code: first.code })).status).toBe(400);
		expect((await other.form('/me?/redeem', { code: second.code })).status).toBe(303);
	});

	it('bounds guessing per client address: after the limit even the right code is refused there', async () => {
		const alice = await Device.at(app.url, newAddress());
		const { code } = await makeCode(alice);
		const address = newAddress();
		const guesser = await Device.at(app.url, address);
		for (let i = 0; i < 5; i++) {
			const res = await guesser.form('/me?/redeem', { code: `ZZZZ-ZZZ${'23456789'[i]}` });
			expect(res.status).toBe(400);
		}
		const blocked = await guesser.form('/me?/redeem', { code });
		expect(blocked.status).toBe(429);
		// Another visitor at the same address is refused too; elsewhere the code still works.
		const neighbour = await Device.at(app.url, address);
		expect((await neighbour.form('/me?/redeem', { code })).status).toBe(429);
		const elsewhere = await Device.at(app.url, newAddress());
		expect((await elsewhere.form('/me?/redeem', { code })).status).toBe(303);
	});

	it('bounds guessing per visiting account across addresses', async () => {
		const guesser = await Device.at(app.url, newAddress());
		for (let i = 0; i < 5; i++) {
			guesser.address = newAddress();
			expect((await guesser.form('/me?/redeem', { code: 'ZZZZ-ZZZZ' })).status).toBe(400);
		}
		guesser.address = newAddress();
		expect((await guesser.form('/me?/redeem', { code: 'ZZZZ-ZZZZ' })).status).toBe(429);
	});

	it('limits how many codes one account can make', async () => {
		const alice = await Device.at(app.url, newAddress());
		for (let i = 0; i < 5; i++) await makeCode(alice);
		const res = await alice.form('/me?/link', {});
		expect(res.status).toBe(429);
	});

	it('opens the QR link as a confirmation page that does not spend it; the POST signs in', async () => {
		const alice = await Device.at(app.url, newAddress());
		const { url } = await makeCode(alice);
		const path = new URL(url).pathname;
		expect(path).toMatch(/^\/link\/[\w-]{32}$/);
		const laptop = await Device.at(app.url, newAddress());
		for (let i = 0; i < 2; i++) {
			const page = await laptop.html(path);
			expect(page.status).toBe(200);
			expect(page.body).toContain('name="robots" content="noindex"');
		}
		const res = await laptop.form(path, { token: path.split('/')[2] });
		expect(res.status).toBe(303);
		expect(await laptop.userId()).toBe(await alice.userId());
		const again = await Device.at(app.url, newAddress());
		expect((await again.form(path, { token: path.split('/')[2] })).status).toBe(400);
	});

	it('moves the chats a person wrote in the browser that switches, not its samples', async () => {
		const alice = await Device.at(app.url, newAddress());
		const phone = await Device.at(app.url, newAddress());
		const created = await phone.mutate('chats.create', { title: 'Written on the phone' });
		const chatId = created.body.result.data.id;
		await readSse(await phone.send(chatId, { content: 'hello from the phone' }));
		const aliceBefore = await alice.chatIds();
		const { code } = await makeCode(alice);
		expect((await phone.form('/me?/redeem', { code })).status).toBe(303);
		const after = await alice.chatIds();
		expect(after.sort()).toEqual([...aliceBefore, chatId].sort());
		const got = await alice.query('chats.get', { id: chatId });
		expect(got.body.result.data.messages.map((m: { content: string }) => m.content)).toContain('hello from the phone');
	});

	it('signs out another device, and refuses another account’s device or a malformed id', async () => {
		const alice = await Device.at(app.url, newAddress());
		const tablet = await Device.at(app.url, newAddress());
		const { code } = await makeCode(alice);
		await tablet.form('/me?/redeem', { code });
		const aliceId = await alice.userId();

		const mallory = await Device.at(app.url, newAddress());
		const list = (await alice.query('devices.list')).body.result.data as { id: string; current: boolean }[];
		const tabletDevice = list.find((d) => !d.current)!;
		expect(JSON.stringify(list)).not.toContain(alice.cookie.split('=')[1]);

		const theirs = await mallory.form('/me?/signOut', { device: tabletDevice.id });
		expect(theirs.status).toBe(404);
		expect(await tablet.userId()).toBe(aliceId);
		expect((await mallory.mutate('devices.signOut', { id: 'nope' })).status).toBe(400);
		// This device is not in the sign-out list: it cannot sign itself out there.
		const self = list.find((d) => d.current)!;
		expect((await alice.mutate('devices.signOut', { id: self.id })).status).toBe(404);

		const res = await alice.form('/me?/signOut', { device: tabletDevice.id });
		expect(res.status).toBe(303);
		// The tablet's cookie no longer opens the account: it arrives as a new visitor.
		await tablet.html('/');
		expect(await tablet.userId()).not.toBe(aliceId);
	});

	it('answers a malformed link token or an empty code on /link with the same clear refusal', async () => {
		const v = await Device.at(app.url, newAddress());
		const before = await v.userId();
		const tries: Record<string, string>[] = [
			{ token: 'short' },
			{ token: 'x'.repeat(32) },
			{ code: '' },
			{ code: 'O0O0-1I1L' }
		];
		for (const fields of tries) {
			const res = await v.form('/link', fields);
			expect(res.status).toBe(400);
			expect(await res.text()).toContain('already used or has expired');
		}
		expect((await v.html('/link/not-a-token')).status).toBe(200);
		expect(await v.userId()).toBe(before);
	});

	it('answers bad input and missing sessions on the procedures clearly', async () => {
		const v = await Device.at(app.url, newAddress());
		expect((await v.mutate('devices.redeem', { code: 12345 })).status).toBe(400);
		expect((await v.mutate('devices.redeem', { code: 'short' })).status).toBe(400);
		expect((await v.mutate('devices.redeem', {})).status).toBe(400);
		const anon = await fetch(app.url + '/api/trpc/devices.createLink', {
			method: 'POST',
			body: 'null',
			headers: { 'content-type': 'application/json', 'x-forwarded-for': newAddress(), origin: app.url }
		});
		expect(anon.status).toBe(401);
	});
});
