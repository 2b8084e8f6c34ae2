import DOMPurify from 'isomorphic-dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { Marked } from 'marked';

/**
 * Markdown → sanitised HTML, the same on server and browser. marked parses, highlight.js
 * colours code, DOMPurify removes anything that could run (scripts, handlers, javascript:).
 */
// The languages chats mostly show; others render as plain code (keeps the page light).
for (const [name, lang] of Object.entries({
	bash,
	cpp,
	css,
	go,
	java,
	javascript,
	json,
	python,
	rust,
	sql,
	typescript,
	xml
})) {
	hljs.registerLanguage(name, lang);
}

const marked = new Marked({
	gfm: true,
	breaks: true,
	renderer: {
		code({ text, lang }) {
			const language = lang && hljs.getLanguage(lang) ? lang : undefined;
			const html = language ? hljs.highlight(text, { language }).value : escapeHtml(text);
			const cls = language ? ` class="hljs language-${language}"` : ' class="hljs"';
			return `<pre><code${cls}>${html}</code></pre>\n`;
		}
	}
});

function escapeHtml(s: string) {
	return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

let hooked = false;
function purifier() {
	if (!hooked) {
		// Links open in a new tab without handing the opener to the target.
		DOMPurify.addHook('afterSanitizeAttributes', (node) => {
			if (node.tagName === 'A' && node.getAttribute('href')) {
				node.setAttribute('target', '_blank');
				node.setAttribute('rel', 'noopener noreferrer nofollow');
			}
		});
		hooked = true;
	}
	return DOMPurify;
}

export function renderMarkdown(text: string): string {
	const raw = marked.parse(text, { async: false }) as string;
	return purifier().sanitize(raw, {
		FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
		FORBID_ATTR: ['style']
	});
}

// Server renders repeat the same finished replies (every view of a chat page): keep the
// most recent results. Sanitising on the server (jsdom) is the costly part.
const cache = new Map<string, string>();
const CACHE_ENTRIES = 1000;
const CACHE_MAX_CHARS = 16_000;

/** renderMarkdown with a bounded cache, for finished replies rendered on the server. */
export function renderMarkdownCached(text: string): string {
	if (text.length > CACHE_MAX_CHARS) return renderMarkdown(text);
	let html = cache.get(text);
	if (html === undefined) {
		html = renderMarkdown(text);
		if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
		cache.set(text, html);
	}
	return html;
}

/**
 * Incremental renderer for a growing reply: text before the last blank line outside a code
 * fence is finished and rendered once; only the open tail is re-rendered as tokens arrive.
 */
export function createStreamRenderer() {
	let stableText = '';
	let stableHtml = '';
	return (text: string): string => {
		if (!text.startsWith(stableText)) {
			stableText = '';
			stableHtml = '';
		}
		const cut = lastSafeBoundary(text);
		if (cut > stableText.length) {
			stableHtml += renderMarkdown(text.slice(stableText.length, cut));
			stableText = text.slice(0, cut);
		}
		return stableHtml + renderMarkdown(text.slice(stableText.length));
	};
}

function lastSafeBoundary(text: string): number {
	let inFence = false;
	let boundary = 0;
	let pos = 0;
	for (const line of text.split('\n')) {
		if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
		pos += line.length + 1;
		if (!inFence && line.trim() === '' && pos <= text.length) boundary = pos;
	}
	return boundary;
}
