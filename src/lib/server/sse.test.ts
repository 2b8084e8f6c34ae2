import { describe, expect, it } from 'vitest';
import { sseResponse } from './sse';
import { Generation } from './chat/generation';

const decoder = new TextDecoder();

async function readAll(res: Response) {
	const reader = res.body!.getReader();
	const chunks: string[] = [];
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return chunks.join('');
		chunks.push(decoder.decode(value));
	}
}

const events = (raw: string) =>
	raw
		.trim()
		.split('\n\n')
		.map((block) => {
			const [ev, data] = block.split('\n');
			return { event: ev.slice(7), data: JSON.parse(data.slice(6)) };
		});

describe('SSE encoder', () => {
	it('sends start, the text as coalesced deltas, then done exactly once', async () => {
		const g = new Generation(1, 'c', 'u');
		const res = sseResponse(g, { userMessageId: '1', assistantMessageId: '2' });
		const all = readAll(res);
		g.emit({ type: 'delta', text: 'hello ' });
		await new Promise((r) => setTimeout(r, 60));
		g.emit({ type: 'delta', text: 'wor' });
		g.emit({ type: 'delta', text: 'ld' });
		g.emit({ type: 'done', finishReason: 'stop', usage: null });
		const raw = await all;
		const got = events(raw);
		expect(got.map((e) => e.event)).toEqual(['start', 'delta', 'delta', 'done']);
		expect(got.filter((e) => e.event === 'delta').map((e) => e.data.text)).toEqual(['hello ', 'world']);
	});

	it('sends the first delta at once, then gathers the following ones into few events', async () => {
		const g = new Generation(1, 'c', 'u');
		const res = sseResponse(g);
		const reader = res.body!.getReader();
		g.emit({ type: 'delta', text: 'first' });
		const t0 = performance.now();
		const first = await reader.read();
		expect(performance.now() - t0).toBeLessThan(50);
		expect(events(decoder.decode(first.value))).toEqual([{ event: 'delta', data: { text: 'first' } }]);
		// Twenty tokens 5 ms apart (a fast model) arrive as a handful of events, all the text kept.
		for (let i = 0; i < 20; i++) {
			g.emit({ type: 'delta', text: ` t${i}` });
			await new Promise((r) => setTimeout(r, 5));
		}
		g.emit({ type: 'done', finishReason: 'stop', usage: null });
		const rest: string[] = [];
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			rest.push(decoder.decode(value));
		}
		const got = events(rest.join(''));
		const deltas = got.filter((e) => e.event === 'delta');
		expect(deltas.map((e) => e.data.text).join('')).toBe(Array.from({ length: 20 }, (_, i) => ` t${i}`).join(''));
		expect(deltas.length).toBeLessThanOrEqual(5);
		expect(got.at(-1)!.event).toBe('done');
	});

	it('catches a client that read nothing during a 2 MB reply up in full, emoji intact, with one done', async () => {
		const g = new Generation(1, 'c', 'u');
		const res = sseResponse(g);
		const piece = 'x'.repeat(1000) + '\u{1F600}';
		for (let i = 0; i < 2000; i++) {
			g.emit({ type: 'delta', text: piece });
			if (i % 100 === 0) await new Promise((r) => setTimeout(r, 35));
		}
		g.emit({ type: 'done', finishReason: 'stop', usage: null });
		await new Promise((r) => setTimeout(r, 50));
		const reader = res.body!.getReader();
		const rest: string[] = [];
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			rest.push(decoder.decode(value, { stream: true }));
		}
		const got = events(rest.join(''));
		expect(got.at(-1)!.event).toBe('done');
		expect(got.filter((e) => e.event === 'done')).toHaveLength(1);
		expect(
			got
				.filter((e) => e.event === 'delta')
				.map((e) => e.data.text)
				.join('')
		).toBe(g.text);
	});
});

describe('generation text', () => {
	it('slices any range of the pieces it arrived in, like the joined text', () => {
		const g = new Generation(1, 'c', 'u');
		const parts = ['ab', 'c', '', 'defg', 'h', 'ijklmnop'];
		for (const t of parts) g.emit({ type: 'delta', text: t });
		const whole = parts.join('');
		expect(g.length).toBe(whole.length);
		for (let from = 0; from <= whole.length; from++) {
			for (let to = from; to <= whole.length; to++) expect(g.slice(from, to)).toBe(whole.slice(from, to));
		}
		expect(g.text).toBe(whole);
		g.emit({ type: 'delta', text: 'q' });
		expect(g.slice(15)).toBe('pq');
		expect(g.text).toBe(whole + 'q');
	});
});
