// Runs every suite: builds the app, then unit, integration and browser tests in one
// vitest run, and ends with the one summary line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status;

let passed = 0;
let failed = 0;

console.log('» building the app (npm run build)');
if (run('npm', ['run', 'build', '--silent']) !== 0) {
	console.log('build failed');
	console.log(`${passed} passed, ${failed + 1} failed`);
	process.exit(1);
}

mkdirSync('test-results', { recursive: true });
rmSync('test-results/vitest.json', { force: true });
const extra = process.argv.slice(2);
run('npx', [
	'vitest',
	'run',
	'--reporter=default',
	'--reporter=json',
	'--outputFile.json=test-results/vitest.json',
	...extra
]);

try {
	const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
	passed += report.numPassedTests;
	failed += report.numFailedTests;
	// A file that failed to load has no tests in the count: count it as one failure.
	for (const file of report.testResults)
		if (file.status === 'failed' && file.assertionResults.length === 0) failed += 1;
} catch {
	console.log('no vitest report was written');
	failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
