#!/usr/bin/env node
// The floor: the least a server must do for the streaming scenario, with the libraries the app
// uses for the same work (node:http, mysql2, undici, eventsource-parser) and nothing else: no
// framework, no ORM, no SDK, no validation, no limits, no metrics, no logging. Run by
// `BENCH_FLOOR=1 node bench/run.js` in place of the app, it shows what this machine allows in
// the same scenario, so a target the floor cannot reach here is a target of the machine.
//
// Per send, as the app does: the session and its user (one statement), the chat and its
// history (one trip), the model call (started before the write), the quota unit and both rows
// in one transaction (one trip), then the reply relayed with the app's coalescing rule (the
// first delta at once, later ones at most every 100–250 ms) and stored once a second for all
// live replies in one trip, and once more at its end. It serves only what the bench calls:
// GET / (a new visitor), POST /api/trpc/chats.create, POST /api/chats/<id>/messages, /readyz.
// Settings as the app's: DATABASE_URL, PORT, HOST, OPENAI_BASE_URL, OPENAI_API_KEY.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import mysql from 'mysql2';
import { Agent, request } from 'undici';
import { createParser } from 'eventsource-parser';

const env = process.env;
const FLUSH_MS = 1000;
const POOL = 50;

/** The server's local socket when it has one (as the app's DATABASE_SOCKET=auto), else TCP. */
async function connect() {
	const probe = mysql.createConnection({ uri: env.DATABASE_URL }).promise();
	const [[{ s }]] = await probe.query('SELECT @@socket AS s');
	await probe.end();
	const socketPath = s && fs.existsSync(s) ? s : undefined;
	return mysql
		.createPool({ uri: env.DATABASE_URL, socketPath, connectionLimit: POOL, multipleStatements: true })
		.promise();
}

const db = await connect();
await db.query(`
	CREATE TABLE IF NOT EXISTS floor_user (id CHAR(24) PRIMARY KEY, quota_used INT NOT NULL DEFAULT 0, quota_limit INT NOT NULL DEFAULT 100000);
	CREATE TABLE IF NOT EXISTS floor_session (id CHAR(48) PRIMARY KEY, user_id CHAR(24) NOT NULL, expires_at DATETIME NOT NULL);
	CREATE TABLE IF NOT EXISTS chat (id CHAR(24) PRIMARY KEY, user_id CHAR(24) NOT NULL, title VARCHAR(200), prompt_slug VARCHAR(64), updated_at DATETIME NOT NULL, KEY (user_id));
	CREATE TABLE IF NOT EXISTS message (id BIGINT AUTO_INCREMENT PRIMARY KEY, chat_id CHAR(24) NOT NULL, user_id CHAR(24) NOT NULL,
		role VARCHAR(16) NOT NULL, content MEDIUMTEXT NOT NULL, status VARCHAR(16) NOT NULL, parent_id BIGINT, KEY (chat_id, id))`);

const upstream = new Agent({ keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 });
const newId = (bytes) => crypto.randomBytes(bytes).toString('hex');

/** Replies being generated: message id → its text so far, and whether the last flush has it. */
const live = new Map();
setInterval(() => {
	const sql = [];
	const values = [];
	for (const [id, reply] of live) {
		if (!reply.dirty) continue;
		reply.dirty = false;
		sql.push('UPDATE message SET content = ? WHERE id = ?');
		values.push(reply.text, id);
	}
	if (sql.length) db.query(sql.join(';'), values).catch((e) => console.error('flush:', e.message));
}, FLUSH_MS).unref();

function readBody(req) {
	return new Promise((resolve, reject) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (d) => (body += d));
		req.on('end', () => resolve(body));
		req.on('error', reject);
	});
}

async function sessionUser(req) {
	const sid = /(?:^|;\s*)oreai_session=([0-9a-f]{48})/.exec(req.headers.cookie ?? '')?.[1];
	if (!sid) return null;
	const [rows] = await db.query(
		'SELECT u.id FROM floor_session s JOIN floor_user u ON u.id = s.user_id WHERE s.id = ? AND s.expires_at > NOW()',
		[sid]
	);
	return rows[0] ?? null;
}

const event = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

async function send(req, res, chatId) {
	const content = String(JSON.parse(await readBody(req)).content ?? '');
	const user = await sessionUser(req);
	if (!user) return res.writeHead(401).end();
	const [[chats, newest]] = await db.query(
		'SELECT id FROM chat WHERE id = ? AND user_id = ?; SELECT role, content FROM message WHERE chat_id = ? AND user_id = ? ORDER BY id DESC LIMIT 50',
		[chatId, user.id, chatId, user.id]
	);
	if (!chats.length) return res.writeHead(404).end();
	const messages = [...newest.reverse(), { role: 'user', content }];
	const call = request(new URL('chat/completions', env.OPENAI_BASE_URL.replace(/\/?$/, '/')), {
		method: 'POST',
		dispatcher: upstream,
		headers: { 'content-type': 'application/json', authorization: `Bearer ${env.OPENAI_API_KEY}` },
		body: JSON.stringify({ model: 'm', messages, stream: true, stream_options: { include_usage: true } })
	});
	call.catch(() => undefined);
	const [stored] = await db.query(
		`START TRANSACTION;
		UPDATE floor_user SET quota_used = quota_used + 1 WHERE id = ? AND quota_used < quota_limit;
		INSERT INTO message (chat_id, user_id, role, content, status) VALUES (?, ?, 'user', ?, 'complete');
		INSERT INTO message (chat_id, user_id, role, content, status, parent_id) VALUES (?, ?, 'assistant', '', 'streaming', LAST_INSERT_ID());
		UPDATE chat SET updated_at = NOW(), title = COALESCE(title, ?) WHERE id = ?;
		COMMIT`,
		[user.id, chatId, user.id, content, chatId, user.id, content.slice(0, 40), chatId]
	);
	const replyId = stored[3].insertId;
	const reply = { text: '', dirty: false };
	live.set(replyId, reply);
	res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
	res.write(event('start', { userMessageId: String(stored[2].insertId), assistantMessageId: String(replyId) }));
	let sent = 0;
	let timer = null;
	const flush = () => {
		timer = null;
		if (sent < reply.text.length) res.write(event('delta', { text: reply.text.slice(sent) }));
		sent = reply.text.length;
	};
	const parser = createParser({
		onEvent(e) {
			if (e.data.startsWith('[DONE]')) return;
			const text = JSON.parse(e.data).choices?.[0]?.delta?.content;
			if (!text) return;
			reply.text += text;
			reply.dirty = true;
			if (sent === 0) flush();
			else timer ??= setTimeout(flush, Math.min(250, Math.max(100, live.size / 2)));
		}
	});
	const { body } = await call;
	const decoder = new TextDecoder();
	body.on('data', (piece) => parser.feed(decoder.decode(piece, { stream: true })));
	await new Promise((resolve, reject) => body.on('end', resolve).on('error', reject));
	clearTimeout(timer);
	flush();
	live.delete(replyId);
	await db.query("UPDATE message SET content = ?, status = 'complete' WHERE id = ?", [reply.text, replyId]);
	res.end(event('done', { finishReason: 'stop', usage: null }));
}

const server = http.createServer(async (req, res) => {
	try {
		if (req.url === '/readyz') return res.end('ok');
		if (req.method === 'GET' && req.url === '/') {
			const userId = newId(12);
			const sid = newId(24);
			await db.query(
				'INSERT INTO floor_user (id) VALUES (?); INSERT INTO floor_session VALUES (?, ?, NOW() + INTERVAL 1 DAY)',
				[userId, sid, userId]
			);
			res.writeHead(200, { 'set-cookie': `oreai_session=${sid}; Path=/; HttpOnly`, 'content-type': 'text/html' });
			return res.end('<!doctype html><title>floor</title>');
		}
		if (req.method === 'POST' && req.url === '/api/trpc/chats.create') {
			await readBody(req);
			const user = await sessionUser(req);
			if (!user) return res.writeHead(401).end();
			const chatId = newId(12);
			await db.query('INSERT INTO chat (id, user_id, updated_at) VALUES (?, ?, NOW())', [chatId, user.id]);
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(JSON.stringify({ result: { data: { id: chatId } } }));
		}
		const chatId = /^\/api\/chats\/([0-9a-f]{24})\/messages$/.exec(req.url ?? '')?.[1];
		if (req.method === 'POST' && chatId) return await send(req, res, chatId);
		res.writeHead(404).end();
	} catch (e) {
		console.error(e);
		if (!res.headersSent) res.writeHead(500);
		res.end();
	}
});

server.listen(Number(env.PORT), env.HOST ?? '127.0.0.1', () => console.log(`floor server on ${env.PORT}`));
process.on('SIGTERM', () => {
	server.close();
	server.closeAllConnections();
	void db.end().finally(() => process.exit(0));
});
