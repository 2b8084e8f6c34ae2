// What the processes cost: RSS and CPU from /proc, the database server's pid, and waiting for a quiet machine before a phase.
import os from 'node:os';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { RSS_SAMPLE_MS, log } from './config.js';
import { round, sleep } from './util.js';

export function readProcStatus(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => {
			const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
			return m ? Number(m[1]) : null;
		};
		return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
	} catch {
		return { rssKb: null, hwmKb: null };
	}
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
	} catch {
		return null;
	}
}

/** Machine-wide CPU ticks from /proc/stat: { busy, total } over all cores. */
function machineTicks() {
	try {
		const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
		const v = line.trim().split(/\s+/).slice(1).map(Number);
		const idle = v[3] + (v[4] || 0); // idle + iowait
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // without guest (counted in user)
		return { busy: total - idle, total };
	} catch {
		return null;
	}
}

// BENCH_WAIT_QUIET=<seconds>: on a shared machine, before the run and before each C's app
// streams, wait until the machine (app idle) uses < 30 % of a core for 3 s in a row — at most
// that many seconds in total over the run.
const quietBudgetMs = Number(process.env.BENCH_WAIT_QUIET || 0) * 1000;
let quietSpentMs = 0;
export const quietWaits = [];
export async function waitForQuiet(label) {
	if (quietBudgetMs <= 0) return;
	const t0 = Date.now();
	let quiet = 0;
	let last = null;
	while (quiet < 3 && quietSpentMs + (Date.now() - t0) < quietBudgetMs) {
		const m0 = machineTicks();
		await sleep(1000);
		const m1 = machineTicks();
		last = round(((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length * 100, 0);
		quiet = last < 30 ? quiet + 1 : 0;
	}
	const waited = Date.now() - t0;
	quietSpentMs += waited;
	quietWaits.push({ label, waitedS: round(waited / 1000, 0), quiet: quiet >= 3, lastBusyPct: last });
	if (quiet < 3) log(`${label}: machine still busy (${last} % of a core); quiet-wait budget used up, measuring anyway`);
	else if (waited > 3500) log(`${label}: waited ${round(waited / 1000, 0)} s for a quiet machine`);
}

/** The local MariaDB/MySQL server's pid, if it runs on this machine (to report its CPU). */
export function findDbServerPid() {
	try {
		for (const d of fs.readdirSync('/proc')) {
			if (!/^\d+$/.test(d)) continue;
			try {
				const comm = fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim();
				if (comm === 'mariadbd' || comm === 'mysqld') return Number(d);
			} catch {
				// the process ended while we looked
			}
		}
	} catch {
		// no /proc here: no database RSS to report
	}
	return null;
}

/**
 * CPU use over a phase, as % of one core: the app process, the DB server, the bench's
 * own main thread (event-loop utilisation) and the mock's thread.
 */
export function cpuMeter(appPid, dbPid, mock) {
	const t0 = performance.now();
	const app0 = cpuSeconds(appPid);
	const db0 = dbPid ? cpuSeconds(dbPid) : null;
	const self0 = process.cpuUsage();
	const elu0 = performance.eventLoopUtilization();
	const mockElu0 = mock.elu();
	const m0 = machineTicks();
	return () => {
		const m1 = machineTicks();
		const wall = (performance.now() - t0) / 1000;
		const per = (a, b) => (a === null || b === null || !wall ? null : round(((b - a) / wall) * 100, 0));
		const self = process.cpuUsage(self0);
		const machinePct =
			m0 && m1 && m1.total > m0.total
				? round(((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length * 100, 0)
				: null;
		const appPct = per(app0, cpuSeconds(appPid));
		const dbPct = db0 === null ? null : per(db0, cpuSeconds(dbPid));
		const benchPct = round(((self.user + self.system) / 1e6 / wall) * 100, 0);
		return {
			machineBusyPct: machinePct,
			// Everything else on the machine (other test runs, browsers…): noise for these figures.
			otherPct: machinePct === null ? null : Math.max(0, machinePct - (appPct ?? 0) - (dbPct ?? 0) - benchPct),
			wallS: round(wall, 2),
			appCpuPct: appPct,
			appCpuS: app0 === null ? null : round(cpuSeconds(appPid) - app0, 2),
			dbCpuPct: dbPct,
			benchProcessCpuPct: benchPct,
			benchLoopUtilPct: round(performance.eventLoopUtilization(elu0).utilization * 100, 0),
			mockLoopUtilPct: round(mock.elu(mockElu0).utilization * 100, 0)
		};
	};
}

export function startRssSampler(pid) {
	let windowPeak = 0;
	let samples = 0;
	const timer = setInterval(() => {
		const { rssKb } = readProcStatus(pid);
		if (rssKb !== null) {
			samples++;
			if (rssKb > windowPeak) windowPeak = rssKb;
		}
	}, RSS_SAMPLE_MS);
	return {
		/** Peak since the last reset, in MB; starts a new window. */
		takePeak() {
			const { rssKb } = readProcStatus(pid);
			const peak = Math.max(windowPeak, rssKb ?? 0);
			windowPeak = rssKb ?? 0;
			return round(peak / 1024);
		},
		samples: () => samples,
		stop: () => clearInterval(timer)
	};
}
