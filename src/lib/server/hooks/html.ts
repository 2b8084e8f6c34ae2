/**
 * Fills the `<html>` tag's placeholders (src/app.html). Only the page's first bytes are
 * rewritten: a replace on the whole page copies all of it, twice, which for a long chat
 * (140 KB) cost more than a millisecond of its server time.
 */
export function fillHtmlTag(html: string, locale: string, theme: string) {
	const end = html.indexOf('>', html.indexOf('<html')) + 1;
	return html.slice(0, end).replace('%lang%', locale).replace('%theme%', theme) + html.slice(end);
}
