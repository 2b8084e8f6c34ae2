import { describe, expect, it } from 'vitest';
import { plainText } from './text';

describe('plainText', () => {
	it('drops emphasis, headings, quotes and list markers but keeps the words', () => {
		expect(plainText('## Plan\n> **Bold** and *soft* with `code`\n- one\n2. two')).toBe(
			'Plan Bold and soft with code one two'
		);
	});
	it('keeps link text and snake_case names', () => {
		expect(plainText('See [the docs](https://example.org) for my_var and _this_')).toBe(
			'See the docs for my_var and this'
		);
	});
	it('folds tables and fences into one line', () => {
		expect(plainText('| a | b |\n|---|---|\n```python\nx = 1\n```')).toBe('a b --- --- x = 1');
	});
});
