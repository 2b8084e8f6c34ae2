/** Texts that are slow for a naive BPE tokenizer: long runs the pre-tokenizer cannot split. */

export function base64Noise(chars: number, seed = 7) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
	let x = seed;
	let out = '';
	for (let i = 0; i < chars; i++) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		out += alphabet[x % 64];
	}
	return out;
}

export const pathological: Record<string, (chars: number) => string> = {
	'one letter': (n) => 'a'.repeat(n),
	digits: (n) => '7'.repeat(n),
	'CJK without punctuation': (n) => '中文字符测试没有标点符号的长句子'.repeat(n).slice(0, n),
	// Cut on a whole character: a lone surrogate would not survive the round trip through MySQL.
	emoji: (n) =>
		'😀🎉👍🏽🧑‍💻'
			.repeat(n)
			.slice(0, n)
			.replace(/[\uD800-\uDBFF]$/, ''),
	'base64 noise': (n) => base64Noise(n)
};
