import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { operatorSetHeapGrowth } from './heap';

const HEAP_MODULE = fileURLToPath(new URL('./heap.ts', import.meta.url));

// Keeps ~40 MB live while replacing it object by object, so what dies has been promoted to the
// old space first (as a finished reply's objects are); prints the old space's peak in MB.
const CHURN = `
import v8 from 'node:v8';
if (process.env.TUNE) console.log(JSON.stringify((await import(process.env.TUNE)).tuneHeapGrowth()));
const base = []; for (let i = 0; i < 200_000; i++) base.push({ a: i, b: 'x' + i });
const RING = 400_000; const ring = new Array(RING);
let peak = 0;
for (let i = 0; i < 6_000_000; i++) {
	ring[i % RING] = { i, s: 'y' + i };
	if (i % 20_000 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size);
}
console.log(Math.round(peak / 1e6), base.length > 0);
`;

function churn(nodeArgs: string[], tune: boolean) {
	const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', CHURN], {
		env: { PATH: process.env.PATH ?? '', ...(tune ? { TUNE: HEAP_MODULE } : {}) },
		encoding: 'utf8',
		timeout: 60_000
	});
	expect(r.status, r.stderr).toBe(0);
	const lines = r.stdout.trim().split('\n');
	return { tuned: tune ? JSON.parse(lines[0]) : null, peakMb: Number(lines.at(-1)!.split(' ')[0]) };
}

describe('heap growth', () => {
	// V8's own peak, measured once for both comparisons below.
	let untouchedPeakMb: number | undefined;
	const untouched = () => (untouchedPeakMb ??= churn([], false).peakMb);

	it('recognises the flag the operator gave Node, in either spelling', () => {
		expect(operatorSetHeapGrowth(['--heap-growing-percent=100'])).toBe(true);
		expect(operatorSetHeapGrowth(['--heap_growing_percent=20'])).toBe(true);
		expect(operatorSetHeapGrowth(['--max-old-space-size=512', '--enable-source-maps'])).toBe(false);
		expect(operatorSetHeapGrowth(['--heap-growing-percentage=5'])).toBe(false);
		expect(operatorSetHeapGrowth([])).toBe(false);
	});

	it('keeps the old space near what is live where V8 alone lets it grow far past', () => {
		const tuned = churn([], true);
		expect(tuned.tuned).toBe(true);
		expect(tuned.peakMb).toBeLessThan(untouched() * 0.7);
	});

	it("leaves the operator's own --heap-growing-percent in force", () => {
		const operator = churn(['--heap-growing-percent=300'], true);
		expect(operator.tuned).toBe(false);
		expect(operator.peakMb).toBeGreaterThan(untouched() * 0.8);
	});
});
