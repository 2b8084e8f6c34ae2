import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { _, translate, useLocale } from './index';

describe('translate', () => {
	it('gives the same message on every lookup, in each language', () => {
		for (let i = 0; i < 3; i++) {
			expect(translate('en', 'errors.upstream_error')).toBe('The AI service had a problem. Try again.');
			expect(translate('zh-CN', 'errors.upstream_error')).toBe('AI 服务出现问题，请重试。');
		}
	});

	it('fills placeholders per call, not from an earlier one', () => {
		expect(translate('en', 'chat.counter', { n: 3, max: 10 })).toBe('3 / 10 characters');
		expect(translate('en', 'chat.counter', { n: 4, max: 12 })).toBe('4 / 12 characters');
	});

	it('answers an unknown id with its default or the id itself, every time', () => {
		for (let i = 0; i < 2; i++) {
			expect(translate('en', 'no.such.message')).toBe('no.such.message');
			expect(translate('en', 'errors.upstream_error.deeper')).toBe('errors.upstream_error.deeper');
			expect(translate('zh-CN', 'errors')).toBe('errors');
			useLocale('en');
			expect(get(_)('no.such', { default: 'fallback' })).toBe('fallback');
		}
	});
});
