// Bench settings: paths, the database server, concurrency levels and the mock's pace (BENCH_* variables), and the log line prefix.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
export const SNAPSHOT_DIR = path.join(RESULTS_DIR, `.app-build-${process.pid}`);
export const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const CHROMIUM = '/usr/bin/chromium';

// BENCH_STREAMS=50,500 and BENCH_ONLY=streaming,wire,chat narrow a run while working on one figure.
export const CONCURRENCY = (process.env.BENCH_STREAMS ?? '1,50,200,500').split(',').map(Number);
const ONLY = process.env.BENCH_ONLY?.split(',');
/** BENCH_FLOOR=1: the streaming scenario against bench/floor-server.js instead of the app. */
export const FLOOR = Boolean(process.env.BENCH_FLOOR);
export const SUBJECT = FLOOR ? 'floor' : 'OreAI';
export const runs = (name) => (FLOOR ? name === 'streaming' : !ONLY || ONLY.includes(name));
// The scenario: first token at 300 ms, then 200 tokens 5 ms apart (≈ 1.3 s a reply).
export const MOCK_OPTIONS = { ttftMs: 300, tokens: 200, delayMs: 5 };
export const STREAM_TIMEOUT_MS = 60_000; // per stream; a stream past it counts as a failure
export const SETUP_PARALLELISM = 16; // users/chats created this many at a time
export const RSS_SAMPLE_MS = 50;
export const LONG_CHAT_MESSAGES = 1000;
export const TTFB_RUNS = 20;
export const REQUEST_TIMEOUT_MS = 30_000;

export const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
