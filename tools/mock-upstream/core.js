// @ts-check
// OpenAI-compatible mock upstream — runtime-agnostic core.
//
// Uses only web-standard Request / Response / ReadableStream / TextEncoder /
// setTimeout, so it can run inside node:http (see ./server.js) or be plugged
// into an SDK as a custom `fetch` (offline demo model):
//
//   const handler = createMockHandler();
//   const client = new OpenAI({ apiKey: 'x', baseURL: 'http://demo.local/v1',
//     fetch: (url, init) => handler.handle(new Request(url, init)) });

/**
 * @typedef {null | 'http403' | 'http429' | 'http500' | 'context_length_exceeded' | 'cut'} MockFault
 *
 * @typedef {object} MockOptions
 * @property {number} ttftMs    delay before the first token (ms)
 * @property {number} tokens    number of content deltas in a generated reply
 * @property {number} delayMs   delay between tokens (ms)
 * @property {MockFault} fault  injected failure
 * @property {number} cutAfter  tokens sent before the connection is cut (fault 'cut')
 * @property {string | null} reply fixed reply text (split into word chunks), or null for generated text
 * @property {string} model     model id reported by /v1/models and in responses
 * @property {(() => Promise<unknown>) | null} holdEnd in-process only: a streamed reply waits for
 *   this promise before its finish chunk (tests that need replies to end at the same moment)
 *
 * @typedef {object} RecordedRequest
 * @property {number} time      Date.now() when received
 * @property {string} method
 * @property {string} path
 * @property {{ authorization: string | null }} headers
 * @property {any} body         parsed JSON request body
 *
 * @typedef {object} MockHandler
 * @property {(request: Request) => Promise<Response>} handle
 * @property {MockOptions} options  live options object (mutated by setOptions)
 * @property {(partial: Partial<MockOptions>) => MockOptions} setOptions
 * @property {RecordedRequest[]} requests  last 1000 chat completion requests (same array instance forever)
 * @property {() => void} reset   clears `requests` and restores the initial options
 * @property {number} activeStreams number of streaming responses currently in flight
 */

/** @type {MockOptions} */
export const DEFAULT_OPTIONS = Object.freeze({
	ttftMs: 0,
	tokens: 20,
	delayMs: 0,
	fault: null,
	cutAfter: 5,
	reply: null,
	model: 'mock-small',
	holdEnd: null
});

export const FAULTS = Object.freeze(['http403', 'http429', 'http500', 'context_length_exceeded', 'cut']);

const MAX_RECORDED = 1000;
const encoder = new TextEncoder();
const DONE_BYTES = encoder.encode('data: [DONE]\n\n');

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * Validate / coerce a partial options object. Unknown keys are dropped.
 * @param {Record<string, unknown>} partial
 * @param {boolean} strict throw on invalid values (otherwise skip them)
 * @returns {Partial<MockOptions>}
 */
export function normalizeOptions(partial, strict = true) {
	/** @type {Record<string, unknown>} */
	const out = {};
	if (!partial || typeof partial !== 'object') return out;
	/** @param {string} msg */
	const bad = (msg) => {
		if (strict) throw new TypeError(msg);
	};
	for (const key of ['ttftMs', 'tokens', 'delayMs', 'cutAfter']) {
		if (!(key in partial)) continue;
		const n = Number(partial[key]);
		if (partial[key] === null || partial[key] === '' || !Number.isFinite(n) || n < 0) {
			bad(`${key} must be a non-negative number`);
			continue;
		}
		out[key] = key === 'tokens' || key === 'cutAfter' ? Math.floor(n) : n;
	}
	if ('fault' in partial) {
		const f = partial.fault;
		if (f === null || f === undefined || f === '' || f === 'none') out.fault = null;
		else if (typeof f === 'string' && /** @type {readonly string[]} */ (FAULTS).includes(f)) out.fault = f;
		else bad(`fault must be null or one of ${FAULTS.join(', ')}`);
	}
	if ('reply' in partial) {
		const r = partial.reply;
		if (r === null || r === undefined) out.reply = null;
		else if (typeof r === 'string') out.reply = r;
		else bad('reply must be a string or null');
	}
	if ('model' in partial) {
		if (typeof partial.model === 'string' && partial.model) out.model = partial.model;
		else bad('model must be a non-empty string');
	}
	if ('holdEnd' in partial) {
		const h = partial.holdEnd;
		if (h === null || h === undefined) out.holdEnd = null;
		else if (typeof h === 'function') out.holdEnd = h;
		else bad('holdEnd must be a function or null');
	}
	return /** @type {Partial<MockOptions>} */ (out);
}

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

const CJK_RE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
const CJK_CLASS = '\\u2e80-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\uff00-\\uffef';
// A token is either 1–2 CJK characters or a run of other non-space characters,
// plus any trailing whitespace, so concatenating tokens reproduces the text.
const TOKEN_RE = new RegExp(`(?:[${CJK_CLASS}]{1,2}|[^\\s${CJK_CLASS}]+)\\s*`, 'gu');

/**
 * Split text into word-ish chunks ("word ", "。\n\n", "你好").
 * Leading whitespace is attached to the first chunk.
 * @param {string} text
 * @returns {string[]}
 */
export function tokenize(text) {
	/** @type {string[]} */
	const chunks = Array.from(text.match(TOKEN_RE) ?? []);
	const lead = /^\s+/.exec(text)?.[0] ?? '';
	if (lead) {
		if (chunks.length) chunks[0] = lead + chunks[0];
		else chunks.push(lead);
	}
	return chunks;
}

/**
 * Text content of a chat message (string or content-part array).
 * @param {any} message
 * @returns {string}
 */
function messageText(message) {
	const c = message?.content;
	if (typeof c === 'string') return c;
	if (Array.isArray(c)) {
		return c.map((p) => (typeof p === 'string' ? p : p && p.type === 'text' ? String(p.text ?? '') : '')).join('\n');
	}
	return '';
}

/**
 * Find and parse a `[[mock:{...}]]` directive.
 * @param {string} text
 * @returns {{ directive: Record<string, unknown> | null, stripped: string }}
 */
export function parseDirective(text) {
	const start = text.indexOf('[[mock:');
	if (start === -1) return { directive: null, stripped: text };
	const jsonStart = start + '[[mock:'.length;
	let end = text.indexOf('}]]', jsonStart);
	while (end !== -1) {
		try {
			const parsed = JSON.parse(text.slice(jsonStart, end + 1));
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
				return { directive: parsed, stripped: text.slice(0, start) + text.slice(end + 3) };
			}
			break;
		} catch {
			end = text.indexOf('}]]', end + 1);
		}
	}
	return { directive: null, stripped: text };
}

/** @param {string} s */
function hash(s) {
	let h = 2166136261;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 16777619);
	}
	return h >>> 0;
}

/**
 * @param {string} question
 * @returns {string}
 */
function snippet(question) {
	const clean = question.replace(/[`\s]+/g, ' ').trim();
	const chars = Array.from(clean);
	if (chars.length <= 40) return clean;
	return chars.slice(0, 40).join('').trimEnd() + '…';
}

const EN = {
	openers: [
		(/** @type {string} */ q) => `You asked: “${q}”\n\n`,
		(/** @type {string} */ q) => `**Your question:** “${q}”\n\n`,
		(/** @type {string} */ q) => `Good question — “${q}”\n\n`
	],
	emptyOpener: 'Thanks for your message.\n\n',
	intro:
		"I'm the offline demo model, a built-in mock that runs without an API key, so this answer is generated locally and deterministically rather than by a real language model. " +
		'Still, here is a sensible way to approach it.\n\n',
	bullets:
		'- **Clarify the goal.** Decide what a good result looks like before changing anything.\n' +
		'- **Start small.** Try the simplest version first and check that it works.\n' +
		'- **Iterate.** Adjust one thing at a time and compare the results.\n\n',
	codeIntro: 'For example, a tiny plan could look like this:\n\n',
	code:
		'```js\n' +
		'function plan(goal) {\n' +
		"  const steps = ['clarify', 'start small', 'iterate'];\n" +
		'  return steps.map((step, i) => `${i + 1}. ${step}: ${goal}`);\n' +
		'}\n' +
		'```\n\n',
	filler: [
		'In practice, the details depend on your situation, so feel free to share more context.',
		'A useful habit is to write down what you expect to happen, then compare it with what actually happens.',
		'If something looks off, narrowing it down to the smallest example usually reveals the cause quickly.',
		'Small, steady improvements tend to add up faster than one big rewrite.',
		'Keeping notes as you go makes it much easier to explain your reasoning later.',
		'When in doubt, ask a colleague to look at it with fresh eyes.'
	],
	sep: ' '
};

const ZH = {
	openers: [
		(/** @type {string} */ q) => `你的问题：“${q}”\n\n`,
		(/** @type {string} */ q) => `**收到你的问题：**“${q}”\n\n`,
		(/** @type {string} */ q) => `好问题——“${q}”\n\n`
	],
	emptyOpener: '感谢你的消息。\n\n',
	intro:
		'我是离线演示模型（一个内置的模拟模型），不需要 API 密钥，这段回答是在本地按固定规则生成的，并非来自真实的大语言模型。' +
		'不过，下面是一个比较稳妥的思路。\n\n',
	bullets:
		'- **明确目标。** 先想清楚什么样的结果才算好。\n' +
		'- **从小处开始。** 先尝试最简单的做法，确认它能正常工作。\n' +
		'- **逐步迭代。** 每次只调整一处，再比较结果。\n\n',
	codeIntro: '举个例子，一个简单的计划可以这样写：\n\n',
	code:
		'```js\n' +
		'function plan(goal) {\n' +
		"  const steps = ['明确目标', '从小处开始', '逐步迭代'];\n" +
		'  return steps.map((step, i) => `${i + 1}. ${step}：${goal}`);\n' +
		'}\n' +
		'```\n\n',
	filler: [
		'实际情况取决于你的具体场景，欢迎补充更多背景信息。',
		'一个好习惯是先写下预期结果，再与实际结果进行对比。',
		'如果发现问题，把它缩小到最小的可复现示例，通常很快就能找到原因。',
		'持续的小改进，往往比一次大改动更有效。',
		'边做边记笔记，之后解释自己的思路会容易得多。',
		'拿不准的时候，请同事换个角度看一看。'
	],
	sep: ''
};

/**
 * Deterministic markdown answer split into exactly `count` chunks.
 * @param {string} question last user message (directive already stripped)
 * @param {number} count
 * @returns {string[]}
 */
export function generateReplyTokens(question, count) {
	if (count <= 0) return [];
	const lang = CJK_RE.test(question) ? ZH : EN;
	const q = snippet(question);
	const h = hash(question);
	/** @type {string[]} */
	const out = [];
	/** @param {string} part */
	const push = (part) => {
		for (const t of tokenize(part)) out.push(t);
	};
	push(q ? lang.openers[h % lang.openers.length](q) : lang.emptyOpener);
	push(lang.intro);
	push(lang.bullets);
	const code = tokenize(lang.codeIntro + lang.code);
	// Only include the code block when it fits completely (with room to spare).
	if (out.length + code.length + 8 <= count) out.push(...code);
	let i = h % lang.filler.length;
	let inParagraph = 0;
	while (out.length < count) {
		const sentence = lang.filler[i++ % lang.filler.length];
		inParagraph++;
		push(sentence + (inParagraph % 3 === 0 ? '\n\n' : lang.sep));
	}
	out.length = count;
	out[count - 1] = out[count - 1].trimEnd() || out[count - 1];
	return out;
}

/**
 * Rough, deterministic prompt token estimate (~4 chars per token).
 * @param {any[]} messages
 */
function estimatePromptTokens(messages) {
	let n = 3;
	for (const m of messages) n += 4 + Math.ceil(messageText(m).length / 4);
	return n;
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

const BASE_HEADERS = {
	'access-control-allow-origin': '*',
	'access-control-allow-headers': '*',
	'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS'
};

/**
 * @param {unknown} data
 * @param {number} [status]
 * @param {Record<string, string>} [headers]
 */
function json(data, status = 200, headers = {}) {
	return new Response(JSON.stringify(data), {
		status,
		headers: { ...BASE_HEADERS, 'content-type': 'application/json', ...headers }
	});
}

/**
 * @param {number} status
 * @param {string} message
 * @param {string} type
 * @param {string | null} code
 * @param {Record<string, string>} [headers]
 * @param {string | null} [param]
 */
function apiError(status, message, type, code, headers = {}, param = null) {
	return json({ error: { message, type, param, code } }, status, headers);
}

/**
 * @param {Exclude<MockFault, null | 'cut'>} fault
 * @param {number} promptTokens
 * @param {Record<string, string>} headers
 */
function faultResponse(fault, promptTokens, headers) {
	switch (fault) {
		case 'http403':
			return apiError(
				403,
				'Permission denied: this API key does not have access to the requested model (mock fault http403).',
				'insufficient_quota',
				'insufficient_quota',
				headers
			);
		case 'http429':
			return apiError(
				429,
				'Rate limit reached for requests. Please try again in 1s (mock fault http429).',
				'requests',
				'rate_limit_exceeded',
				{ ...headers, 'retry-after': '1', 'x-ratelimit-remaining-requests': '0' }
			);
		case 'http500':
			return apiError(
				500,
				'The server had an error while processing your request. Sorry about that! (mock fault http500)',
				'server_error',
				'server_error',
				headers
			);
		case 'context_length_exceeded':
			return apiError(
				400,
				`This model's maximum context length is 8192 tokens. However, your messages resulted in ${Math.max(
					8193,
					promptTokens
				)} tokens. Please reduce the length of the messages.`,
				'invalid_request_error',
				'context_length_exceeded',
				headers,
				'messages'
			);
	}
}

/**
 * Abortable sleep bound to one response. Never rejects; resolves early on abort.
 * @returns {{ sleep: (ms: number) => Promise<void>, stop: () => void, readonly stopped: boolean }}
 */
function createTimer() {
	/** @type {ReturnType<typeof setTimeout> | null} */
	let timer = null;
	/** @type {(() => void) | null} */
	let wake = null;
	let stopped = false;
	return {
		sleep(ms) {
			if (stopped) return Promise.resolve();
			return new Promise((resolve) => {
				wake = resolve;
				timer = setTimeout(() => {
					timer = null;
					wake = null;
					resolve();
				}, ms);
			});
		},
		stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
			timer = null;
			const w = wake;
			wake = null;
			w?.();
		},
		get stopped() {
			return stopped;
		}
	};
}

function abortError() {
	return new DOMException('The operation was aborted.', 'AbortError');
}

// ---------------------------------------------------------------------------
// Handler
// ---------------------------------------------------------------------------

/**
 * @param {Partial<MockOptions>} [initialOptions]
 * @returns {MockHandler}
 */
export function createMockHandler(initialOptions = {}) {
	const initial = { ...DEFAULT_OPTIONS, ...normalizeOptions(initialOptions) };
	/** @type {MockOptions} */
	const options = { ...initial };
	/** @type {RecordedRequest[]} */
	const requests = [];
	let seq = 0;
	let activeStreams = 0;

	/** @param {Partial<MockOptions>} partial */
	function setOptions(partial) {
		Object.assign(options, normalizeOptions(/** @type {any} */ (partial)));
		return options;
	}

	function reset() {
		requests.length = 0;
		for (const k of Object.keys(options)) delete (/** @type {any} */ (options)[k]);
		Object.assign(options, initial);
	}

	/** @param {RecordedRequest} entry */
	function record(entry) {
		requests.push(entry);
		if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
	}

	function listModels() {
		const ids = [...new Set([options.model, DEFAULT_OPTIONS.model])];
		return {
			object: 'list',
			data: ids.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'oreai-mock' }))
		};
	}

	/**
	 * @param {Request} request
	 * @param {string} path
	 */
	async function chatCompletions(request, path) {
		/** @type {any} */
		let body;
		try {
			body = JSON.parse(await request.text());
		} catch {
			return apiError(400, 'Request body must be valid JSON.', 'invalid_request_error', 'invalid_json');
		}
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			return apiError(400, 'Request body must be a JSON object.', 'invalid_request_error', null);
		}
		record({
			time: Date.now(),
			method: request.method,
			path,
			headers: { authorization: request.headers.get('authorization') },
			body
		});
		const messages = Array.isArray(body.messages) ? body.messages : null;
		if (!messages) {
			return apiError(
				400,
				"Missing required parameter: 'messages'.",
				'invalid_request_error',
				'missing_required_parameter',
				{},
				'messages'
			);
		}

		const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
		const { directive, stripped } = parseDirective(lastUser ? messageText(lastUser) : '');
		/** @type {MockOptions} */
		const opts = { ...options, ...(directive ? normalizeOptions(directive, false) : {}) };

		const id = `chatcmpl-mock${(++seq).toString(36).padStart(6, '0')}`;
		const created = Math.floor(Date.now() / 1000);
		const model = typeof body.model === 'string' && body.model ? body.model : opts.model;
		const promptTokens = estimatePromptTokens(messages);
		const headers = { 'x-request-id': `req_${id}`, 'openai-model': model };

		if (opts.fault && opts.fault !== 'cut') return faultResponse(opts.fault, promptTokens, headers);

		let pieces = opts.reply !== null ? tokenize(opts.reply) : generateReplyTokens(stripped.trim(), opts.tokens);
		const capRaw = body.max_completion_tokens ?? body.max_tokens;
		const cap = Number.isFinite(Number(capRaw)) && capRaw !== null ? Math.max(0, Math.floor(Number(capRaw))) : Infinity;
		let finishReason = 'stop';
		if (pieces.length > cap) {
			pieces = pieces.slice(0, cap);
			finishReason = 'length';
		}
		const cut = opts.fault === 'cut';
		const cutAfter = Math.min(opts.cutAfter, pieces.length);
		const usage = {
			prompt_tokens: promptTokens,
			completion_tokens: pieces.length,
			total_tokens: promptTokens + pieces.length
		};

		if (body.stream === true) {
			const includeUsage = !!body.stream_options?.include_usage;
			return streamResponse({
				request,
				id,
				created,
				model,
				pieces,
				finishReason,
				includeUsage,
				usage,
				ttftMs: opts.ttftMs,
				delayMs: opts.delayMs,
				cutAt: cut ? cutAfter : -1,
				holdEnd: opts.holdEnd,
				headers
			});
		}

		// Non-streaming: simulate the same total latency, then answer at once.
		const timer = createTimer();
		const onAbort = () => timer.stop();
		request.signal?.addEventListener('abort', onAbort, { once: true });
		const sent = cut ? cutAfter : pieces.length;
		const latency = opts.ttftMs + opts.delayMs * Math.max(0, sent - 1);
		if (latency > 0) await timer.sleep(latency);
		request.signal?.removeEventListener('abort', onAbort);
		if (request.signal?.aborted) throw abortError();

		const completion = {
			id,
			object: 'chat.completion',
			created,
			model,
			system_fingerprint: 'fp_mock',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: pieces.join(''), refusal: null },
					logprobs: null,
					finish_reason: finishReason
				}
			],
			usage
		};
		if (!cut) return json(completion, 200, headers);
		// 'cut': start sending the JSON, then drop the connection.
		const text = JSON.stringify(completion);
		const partial = encoder.encode(text.slice(0, Math.floor(text.length / 2)));
		let sentPartial = false;
		return new Response(
			new ReadableStream({
				// pull-driven so the partial JSON is read before the error (error() drops queued chunks)
				pull(controller) {
					if (!sentPartial) {
						sentPartial = true;
						controller.enqueue(partial);
					} else controller.error(new Error('mock upstream: connection cut (fault cut)'));
				}
			}),
			{ status: 200, headers: { ...BASE_HEADERS, 'content-type': 'application/json', ...headers } }
		);
	}

	/**
	 * @param {{ request: Request, id: string, created: number, model: string, pieces: string[],
	 *   finishReason: string, includeUsage: boolean, usage: object, ttftMs: number, delayMs: number,
	 *   cutAt: number, holdEnd: (() => Promise<unknown>) | null, headers: Record<string, string> }} s
	 */
	function streamResponse(s) {
		const timer = createTimer();
		const signal = s.request.signal;
		/** @type {ReadableStreamDefaultController<Uint8Array> | null} */
		let ctrl = null;
		let finished = false;
		activeStreams++;

		/** @type {(() => void) | null} */
		let drained = null;
		// Resolves once the consumer has read everything queued (or the stream stopped).
		// Used for backpressure and so that controller.error() (which drops queued
		// chunks) only happens after the consumer got the tokens sent before a cut.
		const waitDrained = () =>
			new Promise((resolve) => {
				drained = () => resolve(undefined);
			});
		const wakeDrained = () => {
			const d = drained;
			drained = null;
			d?.();
		};

		const finish = () => {
			if (finished) return false;
			finished = true;
			activeStreams--;
			timer.stop();
			wakeDrained();
			signal?.removeEventListener('abort', onAbort);
			return true;
		};
		const onAbort = () => {
			if (!finish()) return;
			try {
				ctrl?.close();
			} catch {
				/* already closed / cancelled */
			}
		};

		/** @param {object} delta @param {string | null} finish_reason */
		const chunk = (delta, finish_reason = null) => {
			/** @type {any} */
			const c = {
				id: s.id,
				object: 'chat.completion.chunk',
				created: s.created,
				model: s.model,
				system_fingerprint: 'fp_mock',
				choices: [{ index: 0, delta, logprobs: null, finish_reason }]
			};
			if (s.includeUsage) c.usage = null;
			return encoder.encode(`data: ${JSON.stringify(c)}\n\n`);
		};

		/** @param {ReadableStreamDefaultController<Uint8Array>} controller */
		const run = async (controller) => {
			if (s.ttftMs > 0) await timer.sleep(s.ttftMs);
			if (timer.stopped) return;
			controller.enqueue(chunk({ role: 'assistant', content: '', refusal: null }));
			for (let i = 0; i < s.pieces.length; i++) {
				if (i > 0) {
					if (s.delayMs > 0) await timer.sleep(s.delayMs);
					if (timer.stopped) return;
				}
				if (i === s.cutAt) break;
				while ((controller.desiredSize ?? 1) <= 0 && !timer.stopped) await waitDrained();
				if (timer.stopped) return;
				controller.enqueue(chunk({ content: s.pieces[i] }));
			}
			if (s.cutAt >= 0) {
				while ((controller.desiredSize ?? 1) <= 0 && !timer.stopped) await waitDrained();
				if (finish()) controller.error(new Error('mock upstream: connection cut (fault cut)'));
				return;
			}
			if (s.holdEnd) {
				await s.holdEnd();
				if (timer.stopped) return;
			}
			controller.enqueue(chunk({}, s.finishReason));
			if (s.includeUsage) {
				const u = {
					id: s.id,
					object: 'chat.completion.chunk',
					created: s.created,
					model: s.model,
					system_fingerprint: 'fp_mock',
					choices: [],
					usage: s.usage
				};
				controller.enqueue(encoder.encode(`data: ${JSON.stringify(u)}\n\n`));
			}
			controller.enqueue(DONE_BYTES);
			if (finish()) controller.close();
		};

		const stream = new ReadableStream({
			start(controller) {
				ctrl = controller;
				if (signal?.aborted) {
					onAbort();
					return;
				}
				signal?.addEventListener('abort', onAbort, { once: true });
				run(controller).catch(() => {
					// enqueue after cancel etc. — just stop.
					finish();
				});
			},
			pull() {
				wakeDrained();
			},
			cancel() {
				finish();
			}
		});

		return new Response(stream, {
			status: 200,
			headers: {
				...BASE_HEADERS,
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-cache',
				'x-accel-buffering': 'no',
				...s.headers
			}
		});
	}

	/**
	 * @param {Request} request
	 * @returns {Promise<Response>}
	 */
	async function handle(request) {
		const url = new URL(request.url);
		const path = url.pathname.replace(/\/+$/, '') || '/';
		const method = request.method.toUpperCase();

		if (method === 'OPTIONS') return new Response(null, { status: 204, headers: BASE_HEADERS });

		if (path.endsWith('/chat/completions')) {
			if (method !== 'POST') return apiError(405, 'Method not allowed.', 'invalid_request_error', null);
			return chatCompletions(request, url.pathname);
		}
		if (path.endsWith('/models') && method === 'GET') return json(listModels());
		const modelMatch = /\/models\/([^/]+)$/.exec(path);
		if (modelMatch && method === 'GET') {
			const id = decodeURIComponent(modelMatch[1]);
			const found = listModels().data.find((m) => m.id === id);
			return found
				? json(found)
				: apiError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found');
		}

		if (path.endsWith('/__requests')) {
			if (method === 'GET') return json(requests);
			if (method === 'DELETE') {
				requests.length = 0;
				return json({ ok: true });
			}
		}
		if (path.endsWith('/__options')) {
			if (method === 'GET') return json(options);
			if (method === 'DELETE') {
				const kept = requests.slice();
				reset();
				requests.push(...kept);
				return json(options);
			}
			if (method === 'POST') {
				try {
					const partial = JSON.parse((await request.text()) || '{}');
					return json(setOptions(partial));
				} catch (e) {
					return apiError(400, String(/** @type {Error} */ (e)?.message ?? e), 'invalid_request_error', null);
				}
			}
		}
		if (path.endsWith('/__reset') && method === 'POST') {
			reset();
			return json(options);
		}

		return apiError(404, `Unknown route: ${method} ${url.pathname}`, 'invalid_request_error', 'unknown_url');
	}

	return {
		handle,
		options,
		setOptions,
		requests,
		reset,
		get activeStreams() {
			return activeStreams;
		}
	};
}
