// Time to first byte of a chat with many stored messages, and of pages never rendered before.
import zlib from 'node:zlib';
import mysql from 'mysql2/promise';
import { appStream, newUserWithChat } from './clients.js';
import { LONG_CHAT_MESSAGES, TTFB_RUNS } from './config.js';
import { request } from './http-client.js';
import { pct, round } from './util.js';

function markdownMessage(i, role) {
	if (role === 'user') {
		return (
			`Question ${i}: how do I **paginate** a list in SQL without \`OFFSET\` getting slow? ` +
			`I have a table with a few million rows, an auto-increment id and a created_at column, ` +
			`and the page numbers in my app get slower the deeper you go. Is keyset pagination the answer, ` +
			`and how do I handle "previous page" links? Also, does it work with a composite sort key? (#${i})`
		).slice(0, 400);
	}
	return (
		`### Keyset pagination (${i})\n\n` +
		`Use the last seen key instead of \`OFFSET\`:\n\n` +
		'```sql\nSELECT id, title FROM item\nWHERE id < ?\nORDER BY id DESC\nLIMIT 50;\n```\n\n' +
		`- It stays **fast** at any depth: an index range scan.\n` +
		`- For *previous*, flip the comparison and the order, then reverse.\n` +
		`- Composite keys work: \`(created_at, id) < (?, ?)\`.\n\n` +
		`See [the docs](https://example.com/docs/${i}) for details.`
	).slice(0, 420);
}

/** A bench user whose chat holds `count` stored messages (inserted straight into MySQL). */
async function userWithMessages(appUrl, dbUrl, count) {
	const user = await newUserWithChat(appUrl);
	const conn = await mysql.createConnection(dbUrl);
	try {
		const [[row]] = await conn.query('SELECT user_id FROM chat WHERE id = ?', [user.chatId]);
		const rows = [];
		for (let i = 0; i < count; i++) {
			const role = i % 2 === 0 ? 'user' : 'assistant';
			rows.push([user.chatId, row.user_id, role, markdownMessage(i, role), 'complete']);
		}
		await conn.query('INSERT INTO message (chat_id, user_id, role, content, status) VALUES ?', [rows]);
		await conn.query('UPDATE chat SET title = ? WHERE id = ?', [`Bench: ${count} messages`, user.chatId]);
	} finally {
		await conn.end();
	}
	return user;
}

/**
 * Every page of the long chat once, newest first (the newest, then `?before=` cursors): 50
 * messages each that the server has never rendered, so no cache of rendered replies helps.
 */
async function coldPages(appUrl, dbUrl, user) {
	const conn = await mysql.createConnection(dbUrl);
	let ids;
	try {
		const [rows] = await conn.query('SELECT id FROM message WHERE chat_id = ? ORDER BY id DESC', [user.chatId]);
		ids = rows.map((r) => r.id);
	} finally {
		await conn.end();
	}
	const urls = [`${appUrl}/chat/${user.chatId}`];
	for (let i = 50; i < ids.length; i += 50) urls.push(`${appUrl}/chat/${user.chatId}?before=${ids[i - 1]}`);
	const total = [];
	for (const url of urls) {
		const res = await request(url, {
			headers: { cookie: user.cookie, accept: 'text/html', 'accept-encoding': 'identity' }
		});
		if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
		total.push(res.totalMs);
	}
	return {
		pages: urls.length,
		totalMs: { median: round(pct(total, 50)), p95: round(pct(total, 95)), max: round(Math.max(...total)) }
	};
}

export async function longChatTtfb(appUrl, dbUrl) {
	const user = await userWithMessages(appUrl, dbUrl, LONG_CHAT_MESSAGES);
	const cold = await coldPages(appUrl, dbUrl, user);

	const measure = async (chatId, cookie) => {
		const pageUrl = `${appUrl}/chat/${chatId}`;
		await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } }); // warm-up
		const ttfb = [];
		const total = [];
		let htmlBytes = 0;
		let status = 0;
		for (let i = 0; i < TTFB_RUNS; i++) {
			const res = await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } });
			status = res.status;
			ttfb.push(res.ttfbMs);
			total.push(res.totalMs);
			htmlBytes = res.body.length;
		}
		// Same page compressed, as a browser would fetch it.
		const gz = await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'br, gzip' } });
		const htmlBuf = (
			await request(pageUrl, { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } })
		).body;
		const html = htmlBuf.toString();
		// What the same HTML would weigh if the server compressed it (brotli quality 4, as a proxy would).
		const brIfCompressed = zlib.brotliCompressSync(htmlBuf, {
			params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 }
		}).length;
		const renderedMessages = (html.match(/<li[^>]*\sdata-role="(?:user|assistant)"/g) ?? []).length;
		return {
			status,
			runs: TTFB_RUNS,
			ttfbMs: {
				median: round(pct(ttfb, 50)),
				p95: round(pct(ttfb, 95)),
				min: round(Math.min(...ttfb)),
				max: round(Math.max(...ttfb))
			},
			totalMs: { median: round(pct(total, 50)), p95: round(pct(total, 95)) },
			htmlKb: round(htmlBytes / 1024),
			htmlCompressedKb: round(gz.body.length / 1024),
			htmlEncoding: gz.headers['content-encoding'] ?? 'identity',
			htmlKbIfBrotli: round(brIfCompressed / 1024),
			messageMarkersInHtml: renderedMessages
		};
	};

	const long = await measure(user.chatId, user.cookie);
	// Baselines: a chat with exactly one page of the same messages, and one with one exchange.
	const onePage = await userWithMessages(appUrl, dbUrl, 50);
	const page50 = await measure(onePage.chatId, onePage.cookie);
	const small = await newUserWithChat(appUrl);
	await appStream(appUrl, small);
	const baseline = await measure(small.chatId, small.cookie);
	return { messages: LONG_CHAT_MESSAGES, cold, long, fiftyMessages: page50, baselineOneExchange: baseline };
}
