import { createRequire } from 'node:module';

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

/**
 * Token bytes → rank, built once from the ranks file into flat typed arrays: every token's
 * bytes back to back, where each starts, and an open-addressing hash over them. About 6 MB,
 * where a Map of 200,000 strings held about 45 MB of the process's memory for good.
 */
const BASE64 = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
	BASE64[c.charCodeAt(0)] = i;
}

class RankTable {
	private readonly bytes: Uint8Array;
	private readonly starts: Uint32Array;
	private readonly ranks: Int32Array;
	private readonly slots: Int32Array; // token index + 1; 0 = empty
	private readonly mask: number;

	constructor(source: string) {
		// "<name> <first rank> <token> <token> …" per line, tokens in base64, ranks consecutive.
		// Decoded straight from the source's characters: no string or buffer per token, so
		// building leaves no garbage that would swell the process until the next full GC.
		let count = 0;
		for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 32) count++;
		const bytes = new Uint8Array(source.length); // base64 never decodes to more than its length
		const starts = new Uint32Array(count + 1);
		const ranks = new Int32Array(count);
		let used = 0;
		let tokens = 0;
		let pos = 0;
		while (pos < source.length) {
			let eol = source.indexOf('\n', pos);
			if (eol < 0) eol = source.length;
			const afterName = source.indexOf(' ', pos) + 1;
			const afterRank = source.indexOf(' ', afterName) + 1;
			if (afterName === 0 || afterRank === 0 || afterRank > eol) {
				pos = eol + 1;
				continue;
			}
			let rank = Number.parseInt(source.slice(afterName, afterRank - 1), 10);
			let at = afterRank;
			while (at < eol) {
				let end = source.indexOf(' ', at);
				if (end < 0 || end > eol) end = eol;
				let bits = 0;
				let held = 0;
				for (let i = at; i < end; i++) {
					const v = BASE64[source.charCodeAt(i)];
					if (v < 0) break; // '=' padding
					bits = (bits << 6) | v;
					held += 6;
					if (held >= 8) {
						held -= 8;
						bytes[used++] = (bits >> held) & 0xff;
					}
				}
				if (end > at) {
					ranks[tokens] = rank++;
					starts[++tokens] = used;
				}
				at = end + 1;
			}
			pos = eol + 1;
		}
		this.bytes = bytes.slice(0, used);
		this.starts = starts.slice(0, tokens + 1);
		this.ranks = ranks.slice(0, tokens);
		let size = 1;
		while (size < tokens * 2) size <<= 1;
		this.mask = size - 1;
		this.slots = new Int32Array(size);
		for (let t = 0; t < tokens; t++) {
			let h = this.hashBytes(this.starts[t], this.starts[t + 1]) & this.mask;
			while (this.slots[h] !== 0) h = (h + 1) & this.mask;
			this.slots[h] = t + 1;
		}
	}

	// FNV-1a over bytes; `hashText` gives the same value for a latin1 string of those bytes.
	private hashBytes(from: number, to: number) {
		let h = 0x811c9dc5;
		for (let i = from; i < to; i++) h = Math.imul(h ^ this.bytes[i], 0x01000193);
		return h >>> 0;
	}

	private hashText(s: string) {
		let h = 0x811c9dc5;
		for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
		return h >>> 0;
	}

	/** Rank of the token whose bytes are `s` (a latin1 string, one char per byte). */
	get(s: string): number | undefined {
		let h = this.hashText(s) & this.mask;
		for (;;) {
			const slot = this.slots[h];
			if (slot === 0) return undefined;
			const t = slot - 1;
			const from = this.starts[t];
			if (this.starts[t + 1] - from === s.length) {
				let i = 0;
				while (i < s.length && this.bytes[from + i] === s.charCodeAt(i)) i++;
				if (i === s.length) return this.ranks[t];
			}
			h = (h + 1) & this.mask;
		}
	}

	has(s: string) {
		return this.get(s) !== undefined;
	}

	/** Every token of `length` bytes, as [bytes as latin1, rank]. */
	*ofLength(length: number): Generator<[string, number]> {
		for (let t = 0; t < this.ranks.length; t++) {
			const from = this.starts[t];
			if (this.starts[t + 1] - from === length) {
				yield [String.fromCharCode(...this.bytes.subarray(from, from + length)), this.ranks[t]];
			}
		}
	}
}

let ranks: RankTable | undefined;
// Rank of every two-byte token by (first << 8 | second), -1 if none: most lookups are these.
let pairRanks: Int32Array;
// One regex reused (counting is synchronous): `exec` in a loop is several times faster than `matchAll`.
let pieces: RegExp;

/**
 * Built on the first count, not at start: the ranks file is 2.3 MB of text that is only needed
 * to build the table, so it is read then and let go (dropped from the module cache), and a
 * process that never counts never holds either.
 */
function rankMap() {
	if (ranks) return ranks;
	const require = createRequire(import.meta.url);
	const file = require.resolve('js-tiktoken/ranks/o200k_base');
	const source = require(file) as { pat_str: string; bpe_ranks: string };
	delete require.cache[file];
	const table = new RankTable(source.bpe_ranks);
	pairRanks = new Int32Array(65536).fill(-1);
	for (const [bytes, rank] of table.ofLength(2)) pairRanks[(bytes.charCodeAt(0) << 8) | bytes.charCodeAt(1)] = rank;
	pieces = new RegExp(source.pat_str, 'gu');
	ranks = table;
	return ranks;
}

/** Builds the rank table now rather than on the first count (tests time the count alone). */
export function warmTokenizer() {
	rankMap();
}

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
function mergeCount(bytes: string, map: RankTable): number {
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
