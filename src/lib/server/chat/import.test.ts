import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImport } from './import';

const fixture = readFileSync(new URL('../../../../tests/fixtures/chatgpt-conversations.json', import.meta.url), 'utf8');

describe('parseImport', () => {
	it('keeps only the main branch of a ChatGPT conversation, user and assistant text in order', () => {
		const parsed = parseImport(fixture);
		expect(parsed.format).toBe('chatgpt');
		const paris = parsed.chats.find((c) => c.title === 'Paris trip')!;
		expect(paris.messages.map((m) => [m.role, m.content])).toEqual([
			['user', 'Plan two days in Paris for me.'],
			['assistant', 'Day 1: **Louvre** and the Seine.\nDay 2: Montmartre.'],
			['user', 'Add a photo spot.'],
			['assistant', 'Trocadéro at sunrise 📸']
		]);
		expect(JSON.stringify(parsed)).not.toContain('OLD BRANCH');
		expect(paris.createdAt?.toISOString()).toBe('2023-11-14T22:13:20.500Z');
		expect(paris.messages[0].createdAt?.getTime()).toBe(1_700_000_001_000);
	});

	it('follows the newest leaf when current_node is missing and titles an untitled chat by its first words', () => {
		const parsed = parseImport(fixture);
		const untitled = parsed.chats.find((c) => c.messages[0].content === 'What is 2+2?')!;
		expect(untitled.title).toBe('What is 2+2?');
		expect(untitled.messages).toHaveLength(2);
	});

	it('reports conversations without text and entries that are not conversations, and messages left out', () => {
		const parsed = parseImport(fixture);
		expect(parsed.chats).toHaveLength(2);
		expect(parsed.skipped).toEqual([
			{ title: 'Only a system prompt', reason: 'no_text' },
			{ title: 'Broken entry', reason: 'not_a_conversation' }
		]);
		// The tool output and the image-only message.
		expect(parsed.skippedMessages).toBe(2);
	});

	it('reads OreAI’s own export and keeps only known model settings', () => {
		const parsed = parseImport(
			JSON.stringify({
				exportedAt: '2026-01-01T00:00:00.000Z',
				chats: [
					{
						id: 'x',
						title: 'Haiku',
						systemPrompt: 'Write haiku.',
						settings: { temperature: 0.9, evil: '<script>', model: 'gpt-4o-mini' },
						createdAt: '2026-01-01T00:00:00.000Z',
						messages: [
							{ role: 'user', content: 'Autumn', status: 'complete', createdAt: '2026-01-01T00:00:01.000Z' },
							{ role: 'assistant', content: 'Leaves fall', status: 'complete', createdAt: '2026-01-01T00:00:02.000Z' },
							{ role: 'system', content: 'nope' }
						]
					}
				]
			})
		);
		expect(parsed.format).toBe('oreai');
		expect(parsed.chats[0].settings).toEqual({ temperature: 0.9, model: 'gpt-4o-mini' });
		expect(parsed.chats[0].messages).toHaveLength(2);
		expect(parsed.skippedMessages).toBe(1);
	});

	it('refuses what is not JSON or not an export, with a clear code', () => {
		for (const bad of ['{not json', '42', '{"hello":1}', '[]', '[{"title":"x"}]']) {
			expect(() => parseImport(bad), bad).toThrowError(expect.objectContaining({ code: 'import_invalid' }));
		}
	});

	it('survives a parent cycle', () => {
		const cyclic = JSON.stringify([
			{
				title: 'Loop',
				current_node: 'a',
				mapping: {
					a: {
						id: 'a',
						parent: 'b',
						message: { author: { role: 'user' }, content: { content_type: 'text', parts: ['hi'] } }
					},
					b: { id: 'b', parent: 'a', message: null }
				}
			}
		]);
		expect(parseImport(cyclic).chats[0].messages).toHaveLength(1);
	});
});
