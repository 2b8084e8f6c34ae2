import type { User, Session } from 'lucia';

declare global {
	namespace App {
		interface Locals {
			user: User | null;
			session: Session | null;
			locale: 'en' | 'zh-CN';
			theme: 'light' | 'dark' | 'system';
		}
		interface Error {
			code?: string;
			message: string;
		}
	}
}

export {};
