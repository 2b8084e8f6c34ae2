// HTTP as the bench measures it: keep-alive agents, plain requests, and SSE streams timed to the first token and the end (app and mock wire formats).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { REQUEST_TIMEOUT_MS, STREAM_TIMEOUT_MS } from './config.js';
import { stats } from './util.js';

export const appAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
export const mockAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

/**
 * Plain request; resolves { status, headers, body (Buffer), ttfbMs, totalMs }.
 * Bytes are counted as they arrive on the wire (no decompression).
 */
export function request(
	url,
	{ method = 'GET', headers = {}, body, agent = appAgent, timeoutMs = REQUEST_TIMEOUT_MS, retried = false } = {}
) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const req = http.request(
			url,
			{
				method,
				agent,
				headers: {
					...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
					...headers
				}
			},
			(res) => {
				const ttfbMs = performance.now() - t0;
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						headers: res.headers,
						body: Buffer.concat(chunks),
						ttfbMs,
						totalMs: performance.now() - t0
					})
				);
				res.on('error', reject);
			}
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
		req.on('error', (e) => {
			// A kept-alive socket the server closed as this request went out (Node's documented race):
			// the request never reached the app, so sending it again on a fresh socket is safe.
			if (req.reusedSocket && e.code === 'ECONNRESET' && !retried) {
				request(url, { method, headers, body, agent, timeoutMs, retried: true }).then(resolve, reject);
			} else reject(e);
		});
		req.end(data);
	});
}

/**
 * Opens one SSE stream and times it. `onBlock(block, mark)` is called for each
 * "\n\n"-separated block; it calls mark('first') / mark('done') / mark('error', kind).
 */
export function timedStream(url, { headers = {}, body, agent }, onBlock) {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const result = { ok: false, status: 0, firstMs: null, doneMs: null, failure: null };
		let settled = false;
		const finish = (failure) => {
			if (settled) return;
			settled = true;
			if (failure && !result.failure) result.failure = failure;
			result.ok = !result.failure && result.doneMs !== null && result.firstMs !== null;
			if (!result.ok && !result.failure) result.failure = result.doneMs === null ? 'no_done' : 'no_delta';
			resolve(result);
		};
		const data = Buffer.from(JSON.stringify(body));
		const req = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: {
					'content-type': 'application/json',
					'content-length': data.length,
					accept: 'text/event-stream',
					...headers
				}
			},
			(res) => {
				result.status = res.statusCode ?? 0;
				if (res.statusCode !== 200) {
					res.resume();
					res.on('end', () => finish(`http_${res.statusCode}`));
					res.on('error', () => finish(`http_${res.statusCode}`));
					return;
				}
				res.setEncoding('utf8');
				let buf = '';
				const mark = (what, kind) => {
					const t = performance.now() - t0;
					if (what === 'first' && result.firstMs === null) result.firstMs = t;
					else if (what === 'done' && result.doneMs === null) result.doneMs = t;
					else if (what === 'error' && !result.failure) result.failure = kind;
				};
				res.on('data', (chunk) => {
					buf += chunk;
					let i;
					while ((i = buf.indexOf('\n\n')) >= 0) {
						const block = buf.slice(0, i);
						buf = buf.slice(i + 2);
						if (block.trim()) onBlock(block, mark);
					}
				});
				res.on('end', () => finish(null));
				res.on('error', (e) => finish(`socket_${e.code ?? 'error'}`));
				res.on('aborted', () => finish('aborted'));
			}
		);
		req.setTimeout(STREAM_TIMEOUT_MS, () => {
			finish('timeout');
			req.destroy();
		});
		req.on('error', (e) => finish(`socket_${e.code ?? e.message}`));
		req.end(data);
	});
}

/** App SSE: `event: X\ndata: {...}`. */
export function appBlock(block, mark) {
	let event = 'message';
	let data = '';
	for (const line of block.split('\n')) {
		if (line.startsWith('event:')) event = line.slice(6).trim();
		else if (line.startsWith('data:')) data += line.slice(5).trim();
	}
	if (event === 'delta') mark('first');
	else if (event === 'done') mark('done');
	else if (event === 'error') {
		let code = 'unknown';
		try {
			code = JSON.parse(data).code ?? code;
		} catch {
			// a non-JSON error body keeps the generic code
		}
		mark('error', `sse_error_${code}`);
	}
}

/** OpenAI SSE: `data: {...}` … `data: [DONE]`; first token = first chunk with content. */
export function mockBlock(block, mark) {
	for (const line of block.split('\n')) {
		if (!line.startsWith('data:')) continue;
		const data = line.slice(5).trim();
		if (data === '[DONE]') {
			mark('done');
			continue;
		}
		try {
			const j = JSON.parse(data);
			if (j.error) mark('error', `upstream_${j.error.code ?? 'error'}`);
			if (j.choices?.[0]?.delta?.content) mark('first');
		} catch {
			mark('error', 'bad_json');
		}
	}
}

export function summarize(results) {
	const ok = results.filter((r) => r.ok);
	const failures = {};
	for (const r of results) if (!r.ok) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
	return {
		streams: results.length,
		ok: ok.length,
		failed: results.length - ok.length,
		failures,
		firstTokenMs: stats(ok.map((r) => r.firstMs)),
		doneMs: stats(ok.map((r) => r.doneMs))
	};
}
