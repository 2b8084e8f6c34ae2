import type { User, Session } from 'lucia';
import type { Locale } from '$lib/i18n/locales';
import type { Theme } from '$lib/theme';

declare global {
	namespace App {
		interface Locals {
			user: User | null;
			session: Session | null;
			locale: Locale;
			theme: Theme;
		}
		interface Error {
			code?: string;
			message: string;
			/** Set for unexpected failures: the id of the log line that tells the operator more. */
			errorId?: string;
		}
	}
}

export {};
