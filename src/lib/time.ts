// Building a formatter costs far more than using one: one per language, kept.
const formatters = new Map<string, Intl.RelativeTimeFormat>();

/** "3 minutes ago" in the reader's language, via the platform's Intl.RelativeTimeFormat. */
export function relativeTime(date: Date | string, locale: string, now = Date.now()) {
	const diff = (new Date(date).getTime() - now) / 1000;
	const units: [Intl.RelativeTimeFormatUnit, number][] = [
		['year', 31_536_000],
		['month', 2_592_000],
		['week', 604_800],
		['day', 86_400],
		['hour', 3_600],
		['minute', 60]
	];
	let rtf = formatters.get(locale);
	if (!rtf) formatters.set(locale, (rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })));
	for (const [unit, seconds] of units) {
		if (Math.abs(diff) >= seconds) return rtf.format(Math.round(diff / seconds), unit);
	}
	return rtf.format(0, 'second');
}
