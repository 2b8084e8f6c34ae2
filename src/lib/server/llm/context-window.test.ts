import { describe, expect, it } from 'vitest';
import { fitsAlone, fitToWindow, type Turn } from './context-window';
import { countTokens } from './tokens';

const turns = (n: number): Turn[] =>
	Array.from({ length: n }, (_, i) => ({
		role: i % 2 ? 'assistant' : 'user',
		content: `turn ${i} `.repeat(20),
		key: `t${i}`
	}));

describe('fitToWindow', () => {
	it('keeps the system prompt and the newest turns that fit, dropping the oldest', () => {
		const history = [...turns(298), { role: 'user' as const, content: 'the new question' }];
		const { messages, dropped, tokens } = fitToWindow('You are kind.', history, 2000, 500);
		expect(messages[0]).toEqual({ role: 'system', content: 'You are kind.' });
		expect(messages.at(-1)).toEqual({ role: 'user', content: 'the new question' });
		expect(messages[1].role).toBe('user');
		expect(dropped).toBeGreaterThan(200);
		expect(tokens).toBeLessThanOrEqual(1500);
		for (let i = 2; i < messages.length; i++) expect(messages[i].role).not.toBe(messages[i - 1].role);
	});
	it('sends everything when it fits', () => {
		const { messages, dropped } = fitToWindow('', turns(5), 128_000, 2048);
		expect(messages).toHaveLength(5);
		expect(dropped).toBe(0);
	});
});

describe('fitsAlone', () => {
	it('rejects a question that cannot fit beside the system prompt and reply budget', () => {
		expect(fitsAlone('sys', 'word '.repeat(3000), 2000, 500)).toBe(false);
		expect(fitsAlone('sys', 'a short question', 2000, 500)).toBe(true);
	});
	it('counts with a real tokenizer', () => {
		expect(countTokens('hello world')).toBe(2);
	});
});
