export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];

export function isLocale(v: unknown): v is Locale {
	return typeof v === 'string' && (locales as readonly string[]).includes(v);
}

/** Best supported locale for an Accept-Language header (q-values honoured). */
export function pickLocale(header: string | null | undefined): Locale {
	if (!header) return 'en';
	const ranked = header
		.split(',')
		.map((part) => {
			const [tag, ...params] = part.trim().split(';');
			const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
			return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
		})
		.filter((x) => x.tag && x.q > 0)
		.sort((a, b) => b.q - a.q);
	for (const { tag } of ranked) {
		if (tag.startsWith('zh')) return 'zh-CN';
		if (tag.startsWith('en')) return 'en';
	}
	return 'en';
}
