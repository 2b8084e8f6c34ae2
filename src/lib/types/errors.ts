/**
 * Every error code a person or client can meet: in JSON error answers, in the stream's
 * `error` event and on stored replies. Shared by server and browser (each has a sentence
 * under `errors.<code>` in the i18n files).
 */
export const errorCodes = [
	'bad_request',
	'unauthorized',
	'not_found',
	'chat_busy',
	'message_too_long',
	'quota_exhausted',
	'rate_limited',
	'upstream_quota',
	'upstream_auth',
	'upstream_rate_limit',
	'context_too_long',
	'upstream_error',
	'upstream_timeout',
	'network',
	'shutdown',
	'interrupted',
	'link_invalid',
	'passkey_failed',
	'import_invalid',
	'import_too_large',
	'forbidden',
	'payload_too_large',
	'batch_too_large',
	'internal'
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export function isErrorCode(v: unknown): v is ErrorCode {
	return typeof v === 'string' && (errorCodes as readonly string[]).includes(v);
}
