import { Tiktoken } from 'js-tiktoken/lite';
import o200k_base from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { fitsAlone, fitToWindow, type Turn } from './context-window';
import { countTokens, MAX_EXACT_PIECE_BYTES, messageTokens, PER_MESSAGE_OVERHEAD } from './tokens';
import { pathological } from '../../../../tests/helpers/pathological';

const turns = (n: number): Turn[] =>
	Array.from({ length: n }, (_, i) => {
		const content = `turn ${i} `.repeat(20);
		return { role: i % 2 ? 'assistant' : 'user', content, tokens: messageTokens(content) };
	});

describe('fitToWindow', () => {
	it('keeps the system prompt and the newest turns that fit, dropping the oldest', () => {
		const history = [...turns(298), { role: 'user' as const, content: 'the new question', tokens: 7 }];
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
	it('uses the stored count of each turn instead of counting it again', () => {
		const history: Turn[] = [
			{ role: 'user', content: 'short', tokens: 900 },
			{ role: 'assistant', content: 'short', tokens: 900 },
			{ role: 'user', content: 'short', tokens: 900 }
		];
		expect(fitToWindow('', history, 2000, 100).messages).toHaveLength(1);
	});
	it('bounds a turn never counted by its byte length', () => {
		const history: Turn[] = [
			{ role: 'user', content: 'word '.repeat(400) },
			{ role: 'assistant', content: 'ok', tokens: 5 },
			{ role: 'user', content: 'q', tokens: 5 }
		];
		// 400 words are about 400 tokens but 2,000 bytes: an uncounted turn errs on the safe side.
		expect(fitToWindow('', history, 2200, 100).messages).toHaveLength(3);
		expect(fitToWindow('', history, 1500, 100).messages).toHaveLength(1);
	});

	it('never sends more than the window by the model tokenizer, on pathological history', () => {
		const reference = new Tiktoken(o200k_base);
		const exact = (text: string) => reference.encode(text, [], []).length + PER_MESSAGE_OVERHEAD;
		const system = 'You are terse.';
		// Runs a little longer than the exact-merge limit, so the bound (not the merge) is what is tested.
		const history: Turn[] = Object.values(pathological).flatMap((make, i) => {
			const text = make(MAX_EXACT_PIECE_BYTES + 200 + i);
			return [
				{ role: 'user' as const, content: text, tokens: messageTokens(text) },
				{ role: 'assistant' as const, content: `answer ${i}`, tokens: messageTokens(`answer ${i}`) }
			];
		});
		history.push({ role: 'user', content: 'last question', tokens: messageTokens('last question') });
		for (const context of [1500, 3000, 6000, 20_000]) {
			const reply = 500;
			const { messages, tokens } = fitToWindow(system, history, context, reply);
			const real = messages.reduce((sum, m) => sum + exact(m.content), 0);
			expect(real).toBeLessThanOrEqual(context - reply);
			expect(real).toBeLessThanOrEqual(tokens);
		}
	});
});

describe('fitsAlone', () => {
	it('rejects a question that cannot fit beside the system prompt and reply budget', () => {
		const system = messageTokens('sys');
		expect(fitsAlone(system, messageTokens('word '.repeat(3000)), 2000, 500)).toBe(false);
		expect(fitsAlone(system, messageTokens('a short question'), 2000, 500)).toBe(true);
	});
	it('counts with a real tokenizer', () => {
		expect(countTokens('hello world')).toBe(2);
	});
});
