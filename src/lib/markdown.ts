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
 * Markdown → safe HTML, the same on server and browser, with no DOM needed: marked escapes all
 * text, raw HTML in a reply is shown as text (only a bare `<br>` is kept), so a reply carries
 * no class, style or id of its own; links keep only http(s), mailto, tel and relative
 * addresses, images become links (never loaded), and highlight.js escapes code. So nothing
 * in a reply can run, and the server needs no sanitiser (and no jsdom) at all.
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
		},
		html({ text, block }) {
			if (/^<br\s*\/?>$/i.test(text.trim())) return '<br>';
			return block ? `<p>${escapeHtml(text.trim())}</p>\n` : escapeHtml(text);
		},
		link({ href, title, tokens }) {
			const text = this.parser.parseInline(tokens);
			const url = safeUrl(href);
			if (url === null) return text;
			// Links open in a new tab without handing the opener to the target.
			const t = title ? ` title="${escapeHtml(title)}"` : '';
			return `<a href="${escapeHtml(url)}"${t} target="_blank" rel="noopener noreferrer nofollow">${text}</a>`;
		},
		// Images are never loaded: a reply could name any site, which would learn who reads it
		// (and the CSP allows no outside images). The person gets a link to open it themselves.
		image({ href, title, text }) {
			const url = safeUrl(href);
			if (url === null || url.startsWith('mailto:') || url.startsWith('tel:')) return escapeHtml(text);
			const t = title ? ` title="${escapeHtml(title)}"` : '';
			const label = escapeHtml(text || url);
			return `<a href="${escapeHtml(url)}"${t} target="_blank" rel="noopener noreferrer nofollow">🖼 ${label}</a>`;
		},
		checkbox({ checked }) {
			return checked ? '☑ ' : '☐ ';
		}
	}
});

function escapeHtml(s: string) {
	return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * The address as it will be written (escaped) into the attribute, or null when it is not one
 * of the allowed kinds. Browsers ignore control characters and spaces inside a scheme
 * (`java\tscript:`), so the scheme is read with them removed.
 */
function safeUrl(href: string): string | null {
	let url: string;
	try {
		url = encodeURI(href).replace(/%25/g, '%');
	} catch {
		return null; // malformed (lone surrogate): no link
	}
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
	const bare = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare)?.[1].toLowerCase();
	if (scheme !== undefined) return SAFE_SCHEMES.has(scheme) ? url : null;
	// No scheme: only plainly relative addresses (anything else with a colon is refused).
	return /^[/#?.]/.test(bare) || !bare.includes(':') ? url : null;
}

export function renderMarkdown(text: string): string {
	return marked.parse(text, { async: false }) as string;
}

// Server renders repeat the same finished replies (every view of a chat page): keep the
// most recent results.
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
