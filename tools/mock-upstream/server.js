#!/usr/bin/env node
// @ts-check
// node:http bridge for the OpenAI-compatible mock upstream (see ./core.js).
//
//   import { startMockServer } from './tools/mock-upstream/server.js';
//   const mock = await startMockServer({ tokens: 50 });   // mock.url === 'http://127.0.0.1:PORT/v1'
//   ...
//   await mock.close();
//
// CLI: node tools/mock-upstream/server.js --port 4010 --ttft 200 --tokens 50 --delay 20 \
//        --fault http429 --cut-after 5 --model x --reply "..."

import http from 'node:http';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createMockHandler } from './core.js';

/** @typedef {import('./core.js').MockOptions} MockOptions */
/** @typedef {import('./core.js').MockHandler} MockHandler */

/**
 * @typedef {object} MockServer
 * @property {string} url   base URL for the OpenAI SDK, e.g. http://127.0.0.1:PORT/v1
 * @property {number} port
 * @property {MockHandler} handler
 * @property {() => Promise<void>} close
 */

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/**
 * @param {MockHandler} handler
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
async function bridge(handler, req, res) {
	const ac = new AbortController();
	res.on('close', () => {
		if (!res.writableFinished) ac.abort();
	});

	const method = req.method ?? 'GET';
	const headers = new Headers();
	for (const [k, v] of Object.entries(req.headers)) {
		if (v === undefined) continue;
		headers.set(k, Array.isArray(v) ? v.join(', ') : v);
	}
	const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
	if (ac.signal.aborted) return;
	const request = new Request(`http://${req.headers.host || 'localhost'}${req.url ?? '/'}`, {
		method,
		headers,
		body: body && body.length ? body.toString('utf8') : undefined, // JSON API: text bodies only
		signal: ac.signal
	});

	/** @type {Response} */
	let response;
	try {
		response = await handler.handle(request);
	} catch (err) {
		if (ac.signal.aborted) return;
		res.writeHead(500, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				error: {
					message: String(/** @type {any} */ (err)?.message ?? err),
					type: 'server_error',
					param: null,
					code: null
				}
			})
		);
		return;
	}
	if (ac.signal.aborted) {
		// The client is gone; a body that is already closed has nothing left to cancel.
		response.body?.cancel().catch(() => undefined);
		return;
	}

	/** @type {Record<string, string>} */
	const out = {};
	response.headers.forEach((v, k) => {
		out[k] = v;
	});
	res.writeHead(response.status, out);
	if (!response.body || method === 'HEAD') {
		res.end();
		return;
	}
	if ((out['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();

	const reader = response.body.getReader();
	// Cancelling a reader that already finished rejects; there is nothing left to stop then.
	const onAbort = () => reader.cancel().catch(() => undefined);
	ac.signal.addEventListener('abort', onAbort, { once: true });
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			if (!res.write(value)) {
				await new Promise((resolve) => {
					const ok = () => {
						res.off('drain', ok);
						res.off('close', ok);
						resolve(undefined);
					};
					res.on('drain', ok);
					res.on('close', ok);
				});
				if (res.destroyed) break;
			}
		}
		res.end();
	} catch {
		// Body errored (fault 'cut'): drop the connection without finishing the chunked
		// body. socket.end() flushes what was already written, then sends FIN.
		const socket = res.socket;
		if (socket && !socket.destroyed) {
			socket.end();
			setTimeout(() => socket.destroy(), 1000).unref();
		} else res.destroy();
	} finally {
		ac.signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Start the mock upstream on node:http.
 * @param {{ port?: number, host?: string } & Partial<MockOptions>} [opts]
 * @returns {Promise<MockServer>}
 */
export async function startMockServer({ port = 0, host = '127.0.0.1', ...options } = {}) {
	const handler = createMockHandler(options);
	const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
		bridge(handler, req, res).catch(() => {
			if (!res.headersSent) {
				res.statusCode = 500;
				res.end();
			} else res.destroy();
		});
	});
	server.maxConnections = 100_000;
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	server.requestTimeout = 0; // long-lived streams
	server.timeout = 0;
	server.maxRequestsPerSocket = 0;

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen({ port, host, backlog: 4096 }, () => {
			server.off('error', reject);
			resolve(undefined);
		});
	});
	const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
	const urlHost = addr.family === 'IPv6' || host.includes(':') ? `[${host}]` : host;
	let closed = false;
	return {
		url: `http://${urlHost}:${addr.port}/v1`,
		port: addr.port,
		handler,
		close() {
			if (closed) return Promise.resolve();
			closed = true;
			return new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		}
	};
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

function isMain() {
	if (!process.argv[1]) return false;
	try {
		return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
	} catch {
		return false;
	}
}

const USAGE = `Usage: node tools/mock-upstream/server.js [options]
  --port <n>        listen port (default 4010; 0 = random)
  --host <h>        listen host (default 127.0.0.1)
  --ttft <ms>       delay before the first token (default 0)
  --tokens <n>      tokens per generated reply (default 20)
  --delay <ms>      delay between tokens (default 0)
  --fault <f>       none|http403|http429|http500|context_length_exceeded|cut
  --cut-after <n>   tokens sent before the cut (fault cut, default 5)
  --model <id>      model id (default mock-small)
  --reply <text>    fixed reply text`;

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: '4010' },
			host: { type: 'string', default: '127.0.0.1' },
			ttft: { type: 'string' },
			tokens: { type: 'string' },
			delay: { type: 'string' },
			fault: { type: 'string' },
			'cut-after': { type: 'string' },
			model: { type: 'string' },
			reply: { type: 'string' },
			help: { type: 'boolean', short: 'h' }
		},
		strict: true
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	/** @type {Record<string, unknown>} */
	const options = {};
	if (values.ttft !== undefined) options.ttftMs = values.ttft;
	if (values.tokens !== undefined) options.tokens = values.tokens;
	if (values.delay !== undefined) options.delayMs = values.delay;
	if (values.fault !== undefined) options.fault = values.fault;
	if (values['cut-after'] !== undefined) options.cutAfter = values['cut-after'];
	if (values.model !== undefined) options.model = values.model;
	if (values.reply !== undefined) options.reply = values.reply;

	const server = await startMockServer({
		port: Number(values.port),
		host: values.host,
		.../** @type {any} */ (options)
	});
	console.log(`mock upstream listening on ${server.url}`);
	let closing = false;
	const shutdown = () => {
		if (closing) return;
		closing = true;
		server.close().then(() => process.exit(0));
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.on('SIGTERM', shutdown);
	process.on('SIGINT', shutdown);
}

if (isMain()) {
	main().catch((err) => {
		console.error(err instanceof Error ? err.message : err);
		console.error(USAGE);
		process.exit(1);
	});
}
