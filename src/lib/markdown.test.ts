import { describe, expect, it } from 'vitest';
import { createStreamRenderer, renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
	it('removes everything that could run', () => {
		const html = renderMarkdown(
			'<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) <iframe src="https://e.org"></iframe> <a href="#" onclick="alert(1)">a</a>'
		);
		expect(html).not.toMatch(/<script|\sonerror=|href="javascript:|<iframe|\sonclick=/i);
	});
	it('opens links in a new tab without handing over the opener', () => {
		expect(renderMarkdown('[site](https://example.org)')).toContain(
			'target="_blank" rel="noopener noreferrer nofollow"'
		);
	});
	it('highlights fenced code and renders tables', () => {
		expect(renderMarkdown('```python\nprint(1)\n```')).toContain('class="hljs language-python"');
		expect(renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('<table>');
	});
});

describe('createStreamRenderer', () => {
	it('ends with the same HTML as rendering the whole reply at once', () => {
		const reply =
			'# Title\n\nSome **bold** text.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\nDone.';
		const render = createStreamRenderer();
		let html = '';
		for (let i = 1; i <= reply.length; i += 3) html = render(reply.slice(0, i));
		html = render(reply);
		expect(html).toBe(renderMarkdown(reply));
	});
});
