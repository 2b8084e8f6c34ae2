/** A one-line preview of markdown: markers dropped, link text kept, whitespace folded. */
export function plainText(markdown: string) {
	return markdown
		.replace(/```[\w-]*/g, ' ')
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
		.replace(/\*\*|\*|`|~~/g, '')
		.replace(/(^|\s)_{1,2}(?=\S)|(?<=\S)_{1,2}(?=\s|$)/g, '$1')
		.replace(/\|/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}
