import o200k_base from 'js-tiktoken/ranks/o200k_base';

/**
 * Token counting with the o200k_base encoding (GPT-4o family; a close count for others), in
 * time linear in the text. js-tiktoken's own encoder is quadratic in the length of a
 * pre-tokenised piece (a run of letters, CJK or symbols without a space is one piece) with a
 * large constant: 32,000 × "a" held the event loop for minutes. Here every piece up to
 * `MAX_EXACT_PIECE_BYTES` is byte-pair merged exactly, with a cheaper merge than the library's;
 * a longer piece counts as its UTF-8 byte length, which is never less than its real count
 * because every o200k token holds at least one byte. So the count equals the model's for
 * ordinary text and is an upper bound for pathological text: a window built from it never
 * overflows. Texts over `MAX_EXACT_TEXT_CHARS` count as their byte length outright.
 */

export const MAX_EXACT_PIECE_BYTES = 1024;
/** Longer texts (a runaway reply, say) count as their byte length: bounded work per text. */
export const MAX_EXACT_TEXT_CHARS = 64_000;

// Chat formatting costs a few tokens per message on top of its content.
export const PER_MESSAGE_OVERHEAD = 4;

// Token bytes as a latin1 string (one char per byte) → rank; built once from the ranks file.
let ranks: Map<string, number> | undefined;
// Rank of every two-byte token by (first << 8 | second), -1 if none: most lookups are these.
const pairRanks = new Int32Array(65536).fill(-1);
function rankMap() {
	if (ranks) return ranks;
	ranks = new Map();
	for (const line of o200k_base.bpe_ranks.split('\n')) {
		if (!line) continue;
		const [, offset, ...tokens] = line.split(' ');
		const base = Number.parseInt(offset, 10);
		tokens.forEach((t, i) => {
			const bytes = Buffer.from(t, 'base64').toString('latin1');
			ranks!.set(bytes, base + i);
			if (bytes.length === 2) pairRanks[(bytes.charCodeAt(0) << 8) | bytes.charCodeAt(1)] = base + i;
		});
	}
	return ranks;
}

/** Builds the rank table now (about half a second) rather than on the first message. */
export function warmTokenizer() {
	rankMap();
}

// One regex reused (counting is synchronous): `exec` in a loop is several times faster than `matchAll`.
const pieces = new RegExp(o200k_base.pat_str, 'gu');

// Scratch space for mergeCount, reused: counting is synchronous and most pieces are short.
const next = new Int32Array(MAX_EXACT_PIECE_BYTES + 1);
const prev = new Int32Array(MAX_EXACT_PIECE_BYTES + 1);
const version = new Uint32Array(MAX_EXACT_PIECE_BYTES + 1);
const alive = new Uint8Array(MAX_EXACT_PIECE_BYTES + 1);
// Heap of (rank, start) packed as rank * n + start: ordered by rank, then leftmost.
const keys: number[] = [];
const versions: number[] = [];

/**
 * Tokens the byte-pair merge makes of one piece (bytes as a latin1 string). Same merge order
 * as tiktoken (lowest rank first, leftmost on a tie), kept in a heap over a linked list of
 * parts so a piece of n bytes costs O(n log n) instead of the library's O(n²).
 */
function mergeCount(bytes: string, map: Map<string, number>): number {
	const n = bytes.length;
	if (n < 2 || map.has(bytes)) return 1;
	for (let i = 0; i < n; i++) {
		next[i] = i + 1;
		prev[i] = i - 1;
		version[i] = 0;
		alive[i] = 1;
	}
	keys.length = 0;
	versions.length = 0;
	const push = (key: number, v: number) => {
		let i = keys.length;
		keys.push(key);
		versions.push(v);
		while (i > 0) {
			const up = (i - 1) >> 1;
			if (keys[up] <= key) break;
			keys[i] = keys[up];
			versions[i] = versions[up];
			i = up;
		}
		keys[i] = key;
		versions[i] = v;
	};
	const pop = () => {
		const top = keys[0];
		const topVersion = versions[0];
		const lastKey = keys.pop()!;
		const lastVersion = versions.pop()!;
		if (keys.length) {
			let i = 0;
			for (;;) {
				let child = 2 * i + 1;
				if (child >= keys.length) break;
				if (child + 1 < keys.length && keys[child + 1] < keys[child]) child++;
				if (keys[child] >= lastKey) break;
				keys[i] = keys[child];
				versions[i] = versions[child];
				i = child;
			}
			keys[i] = lastKey;
			versions[i] = lastVersion;
		}
		return [top, topVersion] as const;
	};
	const offer = (i: number) => {
		const j = next[i];
		if (j >= n) return;
		const end = next[j];
		let rank: number | undefined;
		if (end - i === 2) {
			const r = pairRanks[(bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1)];
			rank = r < 0 ? undefined : r;
		} else rank = map.get(bytes.slice(i, end));
		if (rank !== undefined) push(rank * n + i, version[i]);
	};
	for (let i = 0; i < n - 1; i++) offer(i);
	let parts = n;
	while (keys.length) {
		const [key, v] = pop();
		const i = key % n;
		if (!alive[i] || version[i] !== v) continue;
		const j = next[i];
		alive[j] = 0;
		next[i] = next[j];
		if (next[j] < n) prev[next[j]] = i;
		parts--;
		version[i]++;
		offer(i);
		const p = prev[i];
		if (p >= 0) {
			version[p]++;
			offer(p);
		}
	}
	return parts;
}

const pieceCache = new Map<string, number>();
const PIECE_CACHE_LIMIT = 50_000;

/** Tokens in `text` by o200k_base: exact for ordinary text, an upper bound for very long pieces. */
export function countTokens(text: string): number {
	if (text.length > MAX_EXACT_TEXT_CHARS) return Buffer.byteLength(text, 'utf8');
	const map = rankMap();
	let total = 0;
	pieces.lastIndex = 0;
	for (let match = pieces.exec(text); match; match = pieces.exec(text)) {
		const piece = match[0];
		const cached = pieceCache.get(piece);
		if (cached !== undefined) {
			total += cached;
			continue;
		}
		const size = Buffer.byteLength(piece, 'utf8');
		const bytes = size === piece.length ? piece : Buffer.from(piece, 'utf8').toString('latin1');
		const n = bytes.length > MAX_EXACT_PIECE_BYTES ? bytes.length : mergeCount(bytes, map);
		if (piece.length <= 64) {
			if (pieceCache.size >= PIECE_CACHE_LIMIT) pieceCache.delete(pieceCache.keys().next().value!);
			pieceCache.set(piece, n);
		}
		total += n;
	}
	return total;
}

/** Tokens one message takes in a request: its content plus the chat format's overhead. */
export function messageTokens(content: string): number {
	return countTokens(content) + PER_MESSAGE_OVERHEAD;
}
