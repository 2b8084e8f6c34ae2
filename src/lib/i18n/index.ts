import { derived } from 'svelte/store';
import { _, addMessages, format, init, locale as current, unwrapFunctionStore } from 'svelte-i18n';
import en from './en.json';
import zh from './zh-CN.json';
import type { Locale } from './locales';

// Messages are bundled and registered synchronously, so server rendering never waits.
addMessages('en', en);
addMessages('zh-CN', zh);
// svelte-i18n writes <html lang> whenever its locale changes: start the browser from the
// language the server rendered, never from a default that would flip the page to English.
const rendered = typeof document !== 'undefined' ? document.documentElement.lang : '';
init({ fallbackLocale: 'en', initialLocale: rendered === 'zh-CN' ? 'zh-CN' : 'en' });

/** Sets the active locale; called at the top of the root layout, before children render. */
export function useLocale(l: Locale) {
	current.set(l);
}

const formatWith = unwrapFunctionStore(format);

/** Translates outside components (server responses, errors) for an explicit locale. */
export function translate(l: Locale, id: string, values?: Record<string, string | number>) {
	return formatWith(id, { locale: l, values });
}

/** `$errorText(code)`: the sentence for an error code; an unknown code reads as a generic upstream failure. */
export const errorText = derived(
	_,
	(t) => (code: string | null | undefined) => (code ? t(`errors.${code}`, { default: t('errors.upstream_error') }) : '')
);

export { _, locale } from 'svelte-i18n';
export type { Locale };
