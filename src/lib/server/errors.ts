import { translate } from '$lib/i18n';
import type { ErrorCode } from '$lib/types/errors';
import type { StreamEvents } from '$lib/types/stream';

/**
 * Domain errors carry a stable code. They are mapped once each to tRPC codes, HTTP
 * statuses and the stream's `error` event; people see a translated sentence per code.
 */
export type { ErrorCode };

export const httpStatus: Record<ErrorCode, number> = {
	bad_request: 400,
	unauthorized: 401,
	not_found: 404,
	chat_busy: 409,
	message_too_long: 413,
	quota_exhausted: 403,
	rate_limited: 429,
	upstream_quota: 502,
	upstream_auth: 502,
	upstream_rate_limit: 502,
	context_too_long: 502,
	upstream_error: 502,
	upstream_timeout: 504,
	network: 502,
	shutdown: 503,
	interrupted: 500,
	link_invalid: 400,
	passkey_failed: 400,
	import_invalid: 400,
	import_too_large: 413,
	forbidden: 403,
	payload_too_large: 413,
	batch_too_large: 400,
	internal: 500
};

export class DomainError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string = code
	) {
		super(message);
		this.name = 'DomainError';
	}
}

export const notFound = (what = 'chat') => new DomainError('not_found', `No such ${what}`);

/**
 * The stream's `error` payload for a code. Live failures and replays of stored ones both
 * build it here, so a reader sees the same code and message either way.
 */
export function streamError(code: ErrorCode): StreamEvents['error'] {
	return { code, message: translate('en', `errors.${code}`) };
}
