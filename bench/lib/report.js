// The printed table and its columns.
import { MOCK_OPTIONS, SUBJECT } from './config.js';
import { round } from './util.js';

function table(headers, rows) {
	const cells = [headers, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))));
	const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
	const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printReport(r) {
	const out = [];
	const pair = (a, b) => `${a ?? '—'} / ${b ?? '—'}`;
	out.push('');
	out.push(
		`${SUBJECT} bench — ${r.startedAt} — node ${r.env.node}, ${r.env.cpus} CPU(s); each stream a new chat and a fresh connection; mock: first token ${MOCK_OPTIONS.ttftMs} ms, ${MOCK_OPTIONS.tokens} tokens ${MOCK_OPTIONS.delayMs} ms apart`
	);
	if (r.streaming) {
		out.push('');
		out.push(`Times in ms from sending the request; p50 / p99. "added" = ${SUBJECT} − mock alone at that percentile.`);
		out.push(
			table(
				[
					'streams',
					'mock alone 1st token',
					`${SUBJECT} 1st token`,
					'added',
					'mock alone whole reply',
					`${SUBJECT} whole reply`,
					'× mock',
					`failed ${SUBJECT} / mock`,
					`mock max at once (${SUBJECT} / alone)`,
					'peak RSS MB',
					'CPU ms/stream'
				],
				r.streaming.rows.map((x) => [
					x.concurrency,
					pair(x.mock.firstTokenMs.p50, x.mock.firstTokenMs.p99),
					pair(x.app.firstTokenMs.p50, x.app.firstTokenMs.p99),
					pair(x.addedFirstTokenMs.p50, x.addedFirstTokenMs.p99),
					pair(x.mock.doneMs.p50, x.mock.doneMs.p99),
					pair(x.app.doneMs.p50, x.app.doneMs.p99),
					pair(x.doneVsMock.p50, x.doneVsMock.p99),
					`${x.app.failed} / ${x.mock.failed}`,
					pair(x.mockConcurrentMax.duringApp, x.mockConcurrentMax.alone),
					x.appRssMb.peakDuringStreams,
					x.appCpuMsPerStream
				])
			)
		);
		for (const x of r.streaming.rows) {
			if (x.app.failed) out.push(`  C=${x.concurrency} ${SUBJECT} failures: ${JSON.stringify(x.app.failures)}`);
			if (x.mock.failed) out.push(`  C=${x.concurrency} mock failures: ${JSON.stringify(x.mock.failures)}`);
		}
		const busy = r.streaming.rows.filter((x) => (x.app.cpu.otherPct ?? 0) > 25 || (x.mock.cpu.otherPct ?? 0) > 25);
		if (busy.length) {
			out.push(
				`  ! other processes used > 25% of a core during C=${busy.map((x) => x.concurrency).join(', ')}: latency figures there are noisy; rerun on a quiet machine.`
			);
		}
		out.push(
			`  upstream calls per reply: ${r.streaming.rows.map((x) => `${x.concurrency}→${round((x.app.streams + x.appOtherUpstreamCalls) / x.app.streams, 2)} (${x.appOtherUpstreamCalls} title calls)`).join(', ')}`
		);
		out.push(
			`  ${SUBJECT}'s model call reached the mock after (p50 / p99 ms): ${r.streaming.rows.map((x) => `${x.concurrency}→${pair(x.appToUpstreamMs.p50, x.appToUpstreamMs.p99)}`).join(', ')}`
		);
		out.push(
			`  stored replies: ${r.streaming.stored.map((s) => `${s.status}=${s.n} (avg ${s.avgChars} chars)`).join(', ')}; load average ${r.env.loadAvgStart.join(' ')} → ${r.env.loadAvgEnd?.join(' ')}`
		);
	}
	out.push('');
	if (r.rss)
		out.push(`Idle RSS after start: ${r.rss.idleAfterStartMb} MB (peak over the whole run ${r.rss.vmHwmMb} MB)`);
	if (r.wire) {
		const w = (name) => r.wire.find((x) => x.page === name);
		out.push(
			`Cold JS, compressed (first visit at 390×844): ${['/chat/<id>', '/', '/discover', '/me']
				.map((n) => w(n) && `${n} ${w(n).js.kb} KB (${w(n).js.files} files)`)
				.filter(Boolean)
				.join(', ')}; CSS ${w('/')?.css.kb} KB`
		);
	}
	if (r.chatTtfb) {
		const { cold, long, fiftyMessages: f, baselineOneExchange: b } = r.chatTtfb;
		out.push(
			`Chat page with ${r.chatTtfb.messages} different messages, server time (whole response, ms): ${cold.pages} pages never rendered before p95 ${cold.totalMs.p95} (median ${cold.totalMs.median}); newest page viewed ${long.runs}× p95 ${long.totalMs.p95} (median ${long.totalMs.median}); HTML ${long.htmlKb} KB, ${long.htmlCompressedKb} KB ${long.htmlEncoding}`
		);
		out.push(`  baselines: 50-message chat p95 ${f.totalMs.p95}, one-exchange chat p95 ${b.totalMs.p95}`);
	}
	if (r.errors.length) {
		out.push('');
		out.push('Errors:');
		for (const e of r.errors) out.push(`  ${e.section}: ${e.message}`);
	}
	out.push('');
	console.log(out.join('\n'));
}
