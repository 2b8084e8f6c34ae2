import { describe, expect, it } from 'vitest';
import { createStreamRenderer, renderMarkdown } from './markdown';

// Every tag and attribute a reply's HTML may contain; anything else could style, load or run.
const TAGS = new Set(
	'a p br hr em strong del code pre blockquote ul ol li h1 h2 h3 h4 h5 h6 table thead tbody tr th td img span'.split(
		' '
	)
);
const ATTRS = new Set(['href', 'title', 'target', 'rel', 'src', 'alt', 'class', 'align', 'start']);

/** Tags and attributes in the HTML, read the way a browser tokenises start tags. */
function elements(html: string) {
	const out: { tag: string; attrs: [string, string][] }[] = [];
	for (const m of html.matchAll(
		/<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g
	)) {
		const attrs = [...m[2].matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)].map(
			(a): [string, string] => [a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '']
		);
		out.push({ tag: m[1].toLowerCase(), attrs });
	}
	return out;
}

const corpus = [
	'<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1)) <iframe src="https://e.org"></iframe> <a href="#" onclick="alert(1)">a</a>',
	'text <img src=x onerror=alert(1)> and <svg onload=alert(1)> and <b onmouseover=alert(1)>b</b>',
	'[a](JaVaScRiPt:alert(1)) [b](java\tscript:alert(1)) [c](&#106;avascript:alert(1)) [d](data:text/html,x) [e](vbscript:x)',
	'![i](javascript:alert(1)) ![j](data:image/svg+xml,<svg onload=alert(1)>) <javascript:alert(1)>',
	'[ref][1]\n\n[1]: javascript:alert(1)',
	'<details open ontoggle="alert(1)">x</details>\n\n<style>*{display:none}</style>\n\n<div class="fixed inset-0" style="z-index:99">cover</div>',
	'<form action="https://e.org"><input name=a><button>go</button></form> <object data=x></object> <embed src=x>',
	'```html\n<script>alert(1)</script>\n```\n\n`<img src=x onerror=alert(1)>`',
	'| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |',
	'<a href="javascript:alert(1)">raw</a> <a href=" javascript:alert(1)">sp</a> <math><mi xlink:href="javascript:alert(1)">m</mi></math>',
	'- [x] done <input onfocus=alert(1) autofocus>\n- [ ] todo'
];

describe('renderMarkdown', () => {
	it('never loads an image: it becomes a link the person may open', () => {
		const html = renderMarkdown('![a cat](https://tracker.example/cat.png "Cat") and ![](https://x.example/p.gif)');
		expect(html).not.toMatch(/<img/i);
		expect(html).toContain(
			'<a href="https://tracker.example/cat.png" title="Cat" target="_blank" rel="noopener noreferrer nofollow">🖼 a cat</a>'
		);
		expect(html).toContain('🖼 https://x.example/p.gif</a>');
	});
	it('gives a reply no class, style or id of its own to cover the page with', () => {
		const html = renderMarkdown(
			'<div class="fixed inset-0 z-50" style="position:fixed;inset:0" id="main">cover</div>\n\n<span class="fixed inset-0">x</span> text'
		);
		for (const el of elements(html)) {
			for (const [name] of el.attrs) expect(['class', 'style', 'id']).not.toContain(name);
		}
		expect(html).toContain('&lt;div class=&quot;fixed inset-0 z-50&quot;');
	});
	it('removes everything that could run', () => {
		const html = renderMarkdown(corpus[0]);
		expect(html).not.toMatch(/<script|<[^>]*\sonerror=|href="javascript:|<iframe|<[^>]*\sonclick=/i);
	});
	it('leaves only allowed tags, attributes and addresses, whatever the reply holds', () => {
		for (const text of corpus) {
			for (const el of elements(renderMarkdown(text))) {
				expect(TAGS, `<${el.tag}> from ${JSON.stringify(text)}`).toContain(el.tag);
				for (const [name, value] of el.attrs) {
					expect(ATTRS, `${name} on <${el.tag}> from ${JSON.stringify(text)}`).toContain(name);
					if (name === 'href' || name === 'src') expect(value).toMatch(/^(https?:|mailto:|tel:|[^:]*$)/i);
					// Only highlight.js's own classes: a reply cannot pick page classes (e.g. `fixed inset-0`).
					if (name === 'class')
						for (const c of value.split(' ')) expect(c).toMatch(/^(hljs(-[\w-]+)?|language-\w+|[a-z]+_+)$/);
				}
			}
		}
	});
	it('shows raw HTML from a reply as text', () => {
		expect(renderMarkdown('a <b>bold</b> <br> c')).toBe('<p>a &lt;b&gt;bold&lt;/b&gt; <br> c</p>\n');
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
