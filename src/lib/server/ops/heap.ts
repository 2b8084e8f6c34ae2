import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent.
 * With more than 512 MB to use, V8 lets it grow up to 4×: at 500 live replies (about 70 MB live)
 * the old space reached 130 MB before it was collected, most of it the objects of replies that
 * had already ended. 1.5× took the peak RSS at 500 replies from 259–333 MB to 204–235 MB. The
 * price is more full collections while a fresh process grows: its first pages are slower at
 * p95. CPU per reply moved within the run-to-run spread (README, "Memory", has the figures and
 * how to choose otherwise).
 */
export const HEAP_GROWING_PERCENT = 50;

/** Whether the operator gave Node its own `--heap-growing-percent` (Node refuses it in NODE_OPTIONS). */
export function operatorSetHeapGrowth(execArgv: readonly string[]): boolean {
	return execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
}

/**
 * Sets the growth once at start-up unless the operator chose one. V8 reads the flag each time
 * it sizes the old generation after a full collection, so setting it in a running process
 * takes effect from the next one.
 */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
	if (operatorSetHeapGrowth(execArgv)) return false;
	v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
	return true;
}
