#!/usr/bin/env node
// Summarises a V8 CPU profile of the app written by `BENCH_CPU_PROF=1 npm run bench`:
// self time by package and by function, for the whole run and for each streaming phase
// (phase bounds come from bench/results/latest.json → streaming.phaseMarks).
//
//   node bench/profile-summary.js [bench/results/prof/CPU.…cpuprofile] [--top 25]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const topIdx = args.indexOf('--top');
const TOP = topIdx >= 0 ? Number(args.splice(topIdx, 2)[1]) : 20;
let file = args[0];
if (!file) {
	const dir = path.join(ROOT, 'bench/results/prof');
	const all = fs.existsSync(dir)
		? fs
				.readdirSync(dir)
				.filter((f) => f.endsWith('.cpuprofile'))
				.sort()
		: [];
	if (!all.length) {
		console.error('no profile: run BENCH_CPU_PROF=1 npm run bench first');
		process.exit(1);
	}
	file = path.join(dir, all[all.length - 1]);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
let marks = [];
try {
	marks = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results/latest.json'), 'utf8')).streaming?.phaseMarks ?? [];
} catch {
	// No phase marks from an earlier run: the summary just has no phases.
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const short = (url) =>
	url
		.replace(/^file:\/\//, '')
		.replace(/.*node_modules\//, 'nm/')
		.replace(/.*\/bench\/results\/\.app-build-\d+\//, 'build/');
function pkgOf(url, fn) {
	if (!url) return fn;
	const s = short(url);
	if (s.startsWith('nm/')) {
		const parts = s.slice(3).split('/');
		return 'nm/' + (parts[0].startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
	}
	if (s.startsWith('node:')) return s.split('/').slice(0, 3).join('/');
	return s.split('/').slice(0, 3).join('/');
}

function summarize(fromUs = -Infinity, toUs = Infinity) {
	const byFn = new Map();
	const byPkg = new Map();
	let total = 0;
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		if (t < fromUs || t > toUs) continue;
		const dt = profile.timeDeltas[i + 1] ?? 0; // the sample covers the time until the next one
		const n = nodes.get(profile.samples[i]);
		const cf = n.callFrame;
		const fnKey = `${cf.functionName || '(anonymous)'}  ${short(cf.url)}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`;
		byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + dt);
		const pk = pkgOf(cf.url, cf.functionName);
		byPkg.set(pk, (byPkg.get(pk) ?? 0) + dt);
		total += dt;
	}
	return { total, byFn, byPkg };
}

function print(title, s) {
	console.log(`\n== ${title}: ${(s.total / 1e6).toFixed(2)} s sampled`);
	const rows = (m) =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, TOP)
			.map(
				([k, v]) =>
					`${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / (s.total || 1)).toFixed(1).padStart(5)}%  ${k}`
			)
			.join('\n');
	console.log('-- by package / area');
	console.log(rows(s.byPkg));
	console.log('-- by function (self time)');
	console.log(rows(s.byFn));
}

console.log(`profile ${file}`);
print('whole run', summarize());
for (const m of marks) if (m.endUs) print(m.name, summarize(m.startUs, m.endUs));
