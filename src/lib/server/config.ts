import { env } from '$env/dynamic/private';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from './db/url';

/**
 * Every setting, read and validated once. The only module that knows variable names;
 * `.env.example` lists the same set.
 */
const int = (fallback: number) =>
	z.preprocess((v) => (v === undefined || v === '' ? fallback : Number(v)), z.number().int().positive());

const schema = z.object({
	DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
	/** Connections per database pool; a process has two (queries, and sends' one-trip transactions). */
	DB_POOL_SIZE: int(50),
	/** `auto`: a database on this machine is reached through its Unix socket (db/socket.ts); `off`; or a path. */
	DATABASE_SOCKET: z.string().min(1).default('auto'),
	OPENAI_API_KEY: z.string().optional(),
	OPENAI_BASE_URL: z.string().url().optional(),
	OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
	MODEL_CONTEXT_TOKENS: int(128_000),
	MAX_REPLY_TOKENS: int(2_048),
	DEFAULT_QUOTA: int(1000),
	/** New anonymous users one client address may create per window. */
	REGISTER_LIMIT: int(20),
	REGISTER_WINDOW_SECONDS: int(600),
	/** Users who never sent their cookie back are swept after this many seconds. */
	UNCLAIMED_USER_TTL_SECONDS: int(3600),
	/** Longest accepted user message, in characters. */
	MAX_MESSAGE_CHARS: int(32_000),
	/** How a new chat gets its title: one short model call (`model`) or its first words (`words`). */
	TITLE_MODE: z.enum(['model', 'words']).default('model'),
	/** One-time codes for signing in on another device: new codes per account per 10 minutes. */
	LINK_CODES_PER_ACCOUNT: int(5),
	/** Code or link attempts per client address (and per visiting account) per 15 minutes. */
	LINK_ATTEMPTS_PER_ADDRESS: int(10),
	/** Largest accepted import file, in bytes. */
	IMPORT_MAX_BYTES: int(10 * 1024 * 1024),
	/** adapter-node's own cap on every request body: the import limit, and a 413 for larger API bodies. */
	BODY_SIZE_LIMIT: z.string().default('512K'),
	/** A reply whose upstream sends no first token, or then nothing, for this long ends with an error. */
	UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: int(60_000),
	UPSTREAM_IDLE_TIMEOUT_MS: int(30_000),
	/** While the database is down, how long the last write of an ended reply is retried. */
	REPLY_STORE_RETRY_SECONDS: int(600),
	/** The address people use, e.g. https://chat.example.org; unset: whatever host and port a request names. */
	ORIGIN: z.string().url().optional(),
	/**
	 * adapter-node's: the header a trusted reverse proxy puts the original scheme in (e.g.
	 * x-forwarded-proto). Unset, requests are taken to be plain http, since `node build` serves no TLS.
	 */
	PROTOCOL_HEADER: z.string().min(1).optional(),
	/** adapter-node's: the header a trusted reverse proxy puts the original host in (e.g. x-forwarded-host). */
	HOST_HEADER: z.string().min(1).optional(),
	/** Calls one tRPC request may batch. */
	TRPC_MAX_BATCH: int(10),
	/** New chats one user may create per minute. */
	CHATS_PER_MINUTE: int(30),
	/** Messages (sends and regenerations) one user may send per minute. */
	SENDS_PER_MINUTE: int(20),
	/** Model calls one client address may get per day, across every user it creates. */
	ADDRESS_DAILY_CALLS: int(1000),
	/** Unset: one process keeps replies in flight, locks and limits in memory. */
	REDIS_URL: z.string().url().optional(),
	/** Every Redis key and channel starts with this, so several apps (or tests) share one Redis. */
	REDIS_PREFIX: z.string().min(1).default('oreai:'),
	/** A process whose lease is this old is presumed dead and its replies are marked interrupted. */
	LEASE_SECONDS: int(10),
	/** Processes `npm start` runs on this machine; more than one needs REDIS_URL. */
	WORKERS: int(1),
	/** With WORKERS > 1: seconds between SIGTERM (readyz turns 503) and the workers stopping. */
	DRAIN_SECONDS: z.preprocess((v) => (v === undefined || v === '' ? 5 : Number(v)), z.number().int().min(0)),
	/** Bearer token for /metrics; unset: /metrics answers only requests from this machine. */
	METRICS_TOKEN: z.string().min(16).optional()
});

export type Config = z.infer<typeof schema> & { demoModel: boolean; importLimitBytes: number; bodyLimitBytes: number };

/** adapter-node's reading of BODY_SIZE_LIMIT: bytes, with an optional K, M or G (×1024). */
function parseBytes(value: string) {
	if (value === 'Infinity') return Infinity;
	const m = /^(\d+)([KMG]?)$/i.exec(value.trim());
	if (!m) return NaN;
	const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
	return Number(m[1]) * scale;
}

let cached: Config | undefined;

export function config(): Config {
	if (cached) return cached;
	const parsed = schema.safeParse(
		Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]))
	);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new Error(`OreAI: invalid settings (see .env.example):\n${lines.join('\n')}`);
	}
	const c = parsed.data;
	if (c.MAX_REPLY_TOKENS >= c.MODEL_CONTEXT_TOKENS) {
		throw new Error('OreAI: MAX_REPLY_TOKENS must be smaller than MODEL_CONTEXT_TOKENS');
	}
	if (c.WORKERS > 1 && !c.REDIS_URL) {
		throw new Error('OreAI: WORKERS > 1 needs REDIS_URL (processes share replies, locks and limits through Redis)');
	}
	const bodyLimit = parseBytes(c.BODY_SIZE_LIMIT);
	if (Number.isNaN(bodyLimit)) throw new Error('OreAI: BODY_SIZE_LIMIT must be bytes, optionally with K, M or G');
	cached = {
		...c,
		demoModel: !c.OPENAI_API_KEY && !c.OPENAI_BASE_URL,
		bodyLimitBytes: bodyLimit,
		// A form upload also carries its field names and boundaries: leave it 16 KiB of room.
		importLimitBytes: Math.min(c.IMPORT_MAX_BYTES, bodyLimit - 16 * 1024)
	};
	return cached;
}
