/** A short, human name for a browser from its User-Agent: "Chrome on Android". */
export function deviceName(ua: string | null | undefined): string | null {
	if (!ua) return null;
	const browser = /Edg\//.test(ua)
		? 'Edge'
		: /Firefox\//.test(ua)
			? 'Firefox'
			: /(Chrome|CriOS|Chromium)\//.test(ua)
				? 'Chrome'
				: /Safari\//.test(ua)
					? 'Safari'
					: null;
	const os = /iPhone/.test(ua)
		? 'iPhone'
		: /iPad/.test(ua)
			? 'iPad'
			: /Android/.test(ua)
				? 'Android'
				: /Mac OS X|Macintosh/.test(ua)
					? 'macOS'
					: /Windows/.test(ua)
						? 'Windows'
						: /Linux|X11/.test(ua)
							? 'Linux'
							: null;
	if (browser && os) return `${browser} · ${os}`;
	return browser ?? os ?? ua.slice(0, 60);
}
