import { randomBytes } from 'node:crypto';
import pino from 'pino';

/**
 * One structured logger (JSON lines on stdout). Error lines carry an `errorId` the person
 * was shown, and only what is safe to keep: an error's name, code and a stack without its
 * message (a driver's message can quote SQL and its parameters), never a cookie or token.
 */
export const log = pino({
	base: undefined,
	// Defence in depth: whatever a caller passes, these never reach a log line.
	redact: { paths: ['cookie', 'headers.cookie', 'sessionId', 'token', 'sql', 'sqlMessage', 'parameters'], remove: true }
});

/** A short id a person can quote; the matching log line has it. */
export function newErrorId() {
	return randomBytes(5).toString('hex');
}

/** What a log line may say about an error: its kind and where it was thrown, not its message. */
export function describeError(e: unknown) {
	if (!(e instanceof Error)) return { kind: typeof e };
	const code = (e as { code?: unknown }).code;
	const frames = (e.stack ?? '')
		.split('\n')
		.filter((line) => /^\s+at /.test(line))
		.slice(0, 8)
		.map((line) => line.trim());
	return { kind: e.name, ...(typeof code === 'string' ? { code } : {}), frames };
}

/** Logs one failure with a fresh error id and returns the id. */
export function logFailure(where: string, e: unknown, context: Record<string, unknown> = {}) {
	const errorId = newErrorId();
	log.error({ errorId, where, ...context, error: describeError(e) }, 'request failed');
	return errorId;
}
