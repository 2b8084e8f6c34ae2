import { derived, writable, type Readable } from 'svelte/store';
import en from './en.json';
import zh from './zh-CN.json';
import type { Locale } from './locales';

// The messages are plain text with `{name}` placeholders only (no plural, select or number
// formats), so a lookup and a replace do what an ICU message formatter would, without
// shipping its parser to every page.
type Dictionary = { [key: string]: string | Dictionary };
type Values = Record<string, string | number | boolean | null | undefined>;
type Options = { values?: Values; default?: string; locale?: Locale };
export type Translate = (id: string, options?: Options) => string;

// Messages are bundled and registered synchronously, so server rendering never waits.
const dictionaries: Record<Locale, Dictionary> = { en, 'zh-CN': zh };
const FALLBACK: Locale = 'en';

// Each message's path is walked once per dictionary: a chat page asks for the same few
// labels for every one of its messages (over a thousand lookups for a page of 50).
const found = new Map<Dictionary, Map<string, string>>();

function lookup(dictionary: Dictionary, id: string): string | undefined {
	let known = found.get(dictionary);
	if (!known) found.set(dictionary, (known = new Map()));
	const hit = known.get(id);
	if (hit !== undefined) return hit;
	let node: string | Dictionary | undefined = dictionary;
	for (const key of id.split('.')) {
		if (typeof node !== 'object') {
			node = undefined;
			break;
		}
		node = node[key];
	}
	const message = typeof node === 'string' ? node : undefined;
	// Ids come from the code (and error codes from the server), so the map stays small; an
	// unknown one is not kept, so no input can grow it.
	if (message !== undefined) known.set(id, message);
	return message;
}

/** Fills `{name}` placeholders; a message missing one of its values is shown as written. */
function fill(message: string, values: Values): string {
	let missing = false;
	const out = message.replace(/\{\s*([\w.-]+)\s*\}/g, (_m, name: string) => {
		if (!(name in values)) {
			missing = true;
			return '';
		}
		const v = values[name];
		return v == null || v === false ? '' : String(v);
	});
	return missing ? message : out;
}

function format(l: Locale, id: string, options: Options = {}): string {
	const message =
		lookup(dictionaries[options.locale ?? l], id) ?? lookup(dictionaries[FALLBACK], id) ?? options.default ?? id;
	return options.values ? fill(message, options.values) : message;
}

// Start the browser from the language the server rendered, never from a default that would
// flip the page to English before the root layout sets it.
const rendered = typeof document !== 'undefined' ? document.documentElement.lang : '';
const current = writable<Locale>(rendered === 'zh-CN' ? 'zh-CN' : 'en');
// <html lang> follows the active locale in the browser.
if (typeof document !== 'undefined') current.subscribe((l) => document.documentElement.setAttribute('lang', l));

/** The active locale. */
export const locale: Readable<Locale> = { subscribe: current.subscribe };

/** Sets the active locale; called at the top of the root layout, before children render. */
export function useLocale(l: Locale) {
	current.set(l);
}

/** `$_(id, { values, default })`: the message for `id` in the active locale, English when it has none. */
export const _: Readable<Translate> = derived(
	current,
	(l) => (id: string, options?: Options) => format(l, id, options)
);

/** Translates outside components (server responses, errors) for an explicit locale. */
export function translate(l: Locale, id: string, values?: Record<string, string | number>) {
	return format(l, id, { values });
}

/** `$errorText(code)`: the sentence for an error code; an unknown code reads as a generic upstream failure. */
export const errorText = derived(
	_,
	(t) => (code: string | null | undefined) => (code ? t(`errors.${code}`, { default: t('errors.upstream_error') }) : '')
);

export type { Locale };
