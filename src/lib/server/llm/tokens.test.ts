import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k_base from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTokens, MAX_EXACT_PIECE_BYTES, warmTokenizer } from './tokens';
import { base64Noise, pathological } from '../../../../tests/helpers/pathological';

// The library's encoder is the reference; it is quadratic, so it only sees inputs it can finish.
const reference = new Tiktoken(o200k_base);
const exact = (text: string) => reference.encode(text, [], []).length;

describe('countTokens', () => {
	it('matches the model tokenizer on ordinary text in many scripts', () => {
		const samples = [
			'hello world',
			"The quick brown fox jumps over the lazy dog. It's 12345 o'clock!",
			'中文的句子，有标点。日本語の文章です。한국어 문장입니다.',
			'Ünïcödé façade — naïve café; emoji 😀👍🏽 and 🧑‍💻 sequences',
			'```ts\nconst x: number = 42; // comment\nfunction f(a, b) { return a ** b; }\n```\n\n- list\n- items\n',
			'   leading spaces and\n\n\nnewlines\r\n\ttabs   ',
			'a special-looking <|endoftext|> marker stays text',
			'https://example.com/path?query=1&b=2#frag user@example.org',
			base64Noise(3000),
			'x'.repeat(MAX_EXACT_PIECE_BYTES),
			'中'.repeat(Math.floor(MAX_EXACT_PIECE_BYTES / 3)),
			('word ' + 'z'.repeat(300) + ' ').repeat(5)
		];
		for (const text of samples) expect(countTokens(text), text.slice(0, 40)).toBe(exact(text));
	});

	it('never counts fewer tokens than the model on pieces too long to merge exactly', () => {
		for (const [name, make] of Object.entries(pathological)) {
			const text = make(MAX_EXACT_PIECE_BYTES * 2);
			expect(countTokens(text), name).toBeGreaterThanOrEqual(exact(text));
		}
	});

	// Timing on a shared machine: a real stall fails every try, a neighbour's burst does not.
	it('counts any 32,000-character message without holding the event loop', { retry: 2 }, async () => {
		warmTokenizer();
		const inputs = [
			...Object.values(pathological).map((make) => make(32_000)),
			// Pieces just under the exact-merge limit are the most work per character.
			('中文字符测试没有标点'.repeat(40).slice(0, Math.floor(MAX_EXACT_PIECE_BYTES / 3) - 1) + ' ')
				.repeat(200)
				.slice(0, 32_000),
			('a'.repeat(MAX_EXACT_PIECE_BYTES - 1) + ' ').repeat(40).slice(0, 32_000)
		];
		const delay = monitorEventLoopDelay({ resolution: 5 });
		delay.enable();
		let slowest = 0;
		for (const text of inputs) {
			// Fresh noise each time: nothing is answered from the piece cache.
			const t0 = performance.now();
			countTokens(text + base64Noise(16, text.length));
			slowest = Math.max(slowest, performance.now() - t0);
			await new Promise((r) => setTimeout(r, 10));
		}
		delay.disable();
		expect(slowest).toBeLessThan(50);
		expect(delay.percentile(99) / 1e6).toBeLessThan(50);
	});
});
