/** Colour schemes a person can pick on Me; `system` follows the device. */
export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

export function isTheme(v: unknown): v is Theme {
	return typeof v === 'string' && (themes as readonly string[]).includes(v);
}
