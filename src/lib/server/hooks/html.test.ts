import { describe, expect, it } from 'vitest';
import { fillHtmlTag } from './html';

describe('fillHtmlTag', () => {
	const template = '<!doctype html>\n<html lang="%lang%" class="%theme%">\n\t<head>';

	it('fills the html tag and leaves the rest of the page as it was', () => {
		// A reply that quotes the placeholders is shown as written.
		const body = '<body><p>write %lang% and %theme% in app.html</p></body></html>';
		const html = fillHtmlTag(template + body, 'zh-CN', 'dark');
		expect(html).toBe('<!doctype html>\n<html lang="zh-CN" class="dark">\n\t<head>' + body);
	});

	it('reads a page built from many pieces the same as a flat one', () => {
		let page = template;
		for (let i = 0; i < 5000; i++) page += `<div>${i} — %lang%</div>`;
		const filled = fillHtmlTag(page, 'en', 'system');
		expect(filled.startsWith('<!doctype html>\n<html lang="en" class="system">')).toBe(true);
		expect(filled.length).toBe(page.length - '%lang%%theme%'.length + 'ensystem'.length);
		expect(filled.endsWith('<div>4999 — %lang%</div>')).toBe(true);
	});
});
