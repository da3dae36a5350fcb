import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtCount, fmtMetric, fmtRatio, fmtSeconds, markdownTable } from '../../src/bench/markdown.js';
import { qualityTable, whereVigilLoses, benchMarkdown, speedMarkdown, tailMarkdown, type BenchResult } from '../../src/bench/report.js';
import type { TailSpeed } from '../../src/bench/speed.js';
import { parseSections, resultName } from '../../src/bench/runBench.js';
import type { QualityRow } from '../../src/bench/quality.js';
import { VigilError } from '../../src/util/errors.js';

const mv = (value: number | null, lo?: number, hi?: number) => ({ value, ci: lo === undefined ? null : [lo, hi] as [number, number] });

test('metric, duration, count and ratio formatting', () => {
  assert.equal(fmtMetric(mv(0.51234, 0.4711, 0.55349)), '0.512 [0.471, 0.553]');
  assert.equal(fmtMetric(mv(0.5)), '0.500');
  assert.equal(fmtMetric(mv(null)), '—');
  assert.equal(fmtMetric(null), '—');
  assert.equal(fmtMetric(mv(0.25, 0.2, 0.3), 2), '0.25 [0.20, 0.30]');
  assert.equal(fmtSeconds(0.0421), '0.04 s');
  assert.equal(fmtSeconds(7.25), '7.3 s');
  assert.equal(fmtSeconds(73.4), '73 s');
  assert.equal(fmtSeconds(4000), '66.7 min');
  assert.equal(fmtSeconds(null), '—');
  assert.equal(fmtSeconds(NaN), '—');
  assert.equal(fmtCount(1234567), '1,234,567');
  assert.equal(fmtCount(12.345, 1), '12.3');
  assert.equal(fmtRatio(10, 4), '2.50×');
  assert.equal(fmtRatio(1, 0), '—');
});

test('markdown table: header, alignment row, escaped pipes and newlines; ragged rows refused', () => {
  const t = markdownTable(['a', 'b'], [['x|y', 'line1\nline2'], ['1', '2']], ['l', 'r']);
  assert.equal(t, ['| a | b |', '| --- | ---: |', '| x\\|y | line1 line2 |', '| 1 | 2 |'].join('\n'));
  assert.throws(() => markdownTable(['a', 'b'], [['1']]), (e: unknown) => e instanceof VigilError && e.field === 'rows[0]');
  assert.throws(() => markdownTable([], []), (e: unknown) => e instanceof VigilError && e.field === 'headers');
});

const row = (model: string, kind: QualityRow['kind'], ap: [number, number, number], extra: Partial<QualityRow> = {}): QualityRow => ({
  model, kind, status: 'ok', ap: mv(...ap), recallAt2Fpr: mv(0.5, 0.4, 0.6), precisionTop1: mv(0.2, 0.1, 0.3), coldStartRecallAt2Fpr: mv(null),
  trainSeconds: 10, ...extra,
});

test('quality table: one line per model, skipped peers show the reason, oracle has no train time', () => {
  const rows: QualityRow[] = [
    row('Vigil', 'vigil', [0.3, 0.25, 0.35], { note: 'best epoch 3' }),
    { model: 'XGBoost', kind: 'peer', status: 'skipped', reason: "python package 'xgboost' is not available", ap: null, recallAt2Fpr: null, precisionTop1: null, coldStartRecallAt2Fpr: null, trainSeconds: null },
    row('oracle', 'oracle', [0.9, 0.85, 0.95], { trainSeconds: null }),
  ];
  const lines = qualityTable(rows).split('\n');
  assert.equal(lines.length, 5);
  assert.equal(lines[0], '| model | AP | recall@2%FPR | precision in top 1% | cold-start recall@2%FPR | train time | note |');
  assert.equal(lines[2], '| Vigil | 0.300 [0.250, 0.350] | 0.500 [0.400, 0.600] | 0.200 [0.100, 0.300] | — | 10 s | best epoch 3 |');
  assert.equal(lines[3], "| XGBoost | — | — | — | — | — | skipped: python package 'xgboost' is not available |");
  assert.match(lines[4], /^\| oracle \| 0\.900 .*\| n\/a \|/);
});

test('where Vigil loses: beaten models named per metric, with whether the intervals separate them', () => {
  const rows: QualityRow[] = [
    row('Vigil', 'vigil', [0.30, 0.25, 0.35], { trainSeconds: 100 }),
    row('XGBoost', 'peer', [0.45, 0.40, 0.50], { trainSeconds: 20 }),
    row('LR', 'peer', [0.33, 0.28, 0.38], { trainSeconds: 50 }),
    row('CART', 'baseline', [0.10, 0.05, 0.15]),
    row('oracle', 'oracle', [0.60, 0.55, 0.65], { trainSeconds: null }),
  ];
  const s = whereVigilLoses(rows);
  assert.equal(s.length, 3);
  assert.equal(s[0], "AP: XGBoost 0.450 [0.400, 0.500] beats Vigil's 0.300 [0.250, 0.350] — the intervals do not overlap: a clear loss. Also ahead on the point estimate: LR.");
  assert.equal(s[1], 'Gap to the oracle: AP 0.300 vs 0.600 (50% of the ceiling).');
  assert.equal(s[2], 'Training time: XGBoost fits in 20 s vs 100 s for Vigil (5.00× slower).');
  const sameInfo = (ap: [number, number, number]) => whereVigilLoses([...rows, row('Vigil mean', 'vigil', ap, { variant: 'fusion:mean' })])
    .find((l) => l.startsWith('Same information'));
  assert.equal(sameInfo([0.40, 0.35, 0.46]), "Same information as the peers: Vigil mean AP 0.400 [0.350, 0.460] vs XGBoost 0.450 [0.400, 0.500] — the 95% intervals overlap: on the same information the learners are not separated.");
  assert.match(sameInfo([0.20, 0.15, 0.25])!, /XGBoost 0\.450 .* a clear loss for Vigil\.$/);
  assert.match(sameInfo([0.60, 0.55, 0.65])!, /in Vigil's favour\.$/);
  assert.equal(whereVigilLoses(rows).find((l) => l.startsWith('Same information')), undefined, 'no mean-pooling row, no statement');
  const win = whereVigilLoses([row('Vigil', 'vigil', [0.5, 0.4, 0.6]), row('CART', 'baseline', [0.1, 0.05, 0.15])]);
  assert.deepEqual(win, ['No non-oracle model beats the fusion model on any metric in this run.']);
  assert.deepEqual(whereVigilLoses([row('CART', 'baseline', [0.1, 0.05, 0.15])]), ['The fusion model did not run, so there is nothing to compare.']);
});

test('bench markdown: machine line, quality section and skipped speed parts', () => {
  const machine = { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, freeMemoryGiB: 10, node: 'v20.0.0', os: 'linux', loadAverage1m: 3.5, at: '2026-01-01T00:00:00Z' };
  const r: BenchResult = {
    version: 1, date: '2026-01-01', command: 'vigil bench', preset: 'default', seed: 1, machine, durationS: 120,
    quality: {
      preset: 'default', seed: 1, rows: { total: 100, train: 60, calib: 20, test: 20, testPositives: 3, coldStartTest: 5, coldStartPositives: 1 },
      rowsTable: [row('Vigil', 'vigil', [0.3, 0.25, 0.35])], timings: { generationS: 1, writeS: 1, splitS: 1, preprocessS: 1, noiseS: 1, exportS: 1 },
      bootstrap: { resamples: 200, unit: 'creator', groups: 40 }, machine: { start: machine, end: machine },
    },
    speed: {
      machine, trainingBackends: { ok: false, reason: 'wasm failed to load', machine }, generation: { ok: false, reason: 'x', machine },
      nearDupScaling: { ok: false, reason: 'x', machine }, servingLatency: { ok: false, reason: 'x', machine }, http: { ok: false, reason: 'x', machine },
      extraction: { ok: false, reason: 'ffmpeg is not installed', machine }, endToEnd: { ok: true, value: { seconds: 95, preset: 'default' }, machine },
    },
  };
  const md = benchMarkdown(r);
  assert.match(md, /^# Vigil benchmark — 2026-01-01\n/);
  assert.match(md, /Machine: Test CPU · 2 cores · 24 GiB · node v20\.0\.0 · load 3\.5/);
  assert.match(md, /test 20 \(3 positives; cold start 5 rows, 1 positives\)/);
  assert.match(md, /### Training throughput[^\n]*\n\nSkipped: wasm failed to load/);
  assert.match(md, /### Feature extraction from real media\n\nSkipped: ffmpeg is not installed/);
  assert.match(md, /### End to end[^\n]*\n\n95 s on preset `default`\.\n\n_measured on Test CPU/);
});

test('sections and result names', () => {
  assert.deepEqual(parseSections(undefined), ['quality', 'real', 'variants', 'speed', 'e2e']);
  assert.deepEqual(parseSections('speed, quality'), ['speed', 'quality']);
  assert.throws(() => parseSections('quality,latency'), (e: unknown) => e instanceof VigilError && e.field === 'only' && /'latency'/.test(e.message));
  assert.equal(resultName('2026-11-28', 'bench'), '2026-11-28');
  assert.equal(resultName('2026-11-28', 'default'), '2026-11-28-default');
});

test('bench markdown: the tail section counts 200 / 503 / connection errors and checks the targets', () => {
  const lat = (p50: number, p99: number, max: number) => ({ n: 1, p50, p99, mean: p50, max });
  const load = (sent: number, statuses: Record<string, number>, l: ReturnType<typeof lat>) => ({
    mode: 'open' as const, sent, ok: statuses['200'] ?? 0, errors: sent - (statuses['200'] ?? 0), statuses, durationS: 10, throughputPerS: (statuses['200'] ?? 0) / 10, latencyMs: l, clientCpuUsPerRequest: 40,
  });
  const t: TailSpeed = {
    model: 'random weights (default dims)', frames: 18, bodyBytes: 26_000, maxInFlight: 32, rate: 500, durationS: 10,
    atRate: load(5000, { 200: 5000 }, lat(0.7, 8.5, 40)),
    sustainable: { ...load(12_000, { 200: 12_000 }, lat(0.3, 1, 5)), mode: 'closed' },
    overloadFactor: 4, overloadRate: 4800, overload: load(48_000, { 200: 12_000, 503: 35_990, error: 10 }, lat(2, 61, 300)),
  };
  const md = tailMarkdown(t).join('\n');
  assert.match(md, /\| steady, 500 req\/s \| 500 \| 5,000 \| 10 s \| 5,000 \| 0 \| 0 \| 0 \| 0\.70 \/ 8\.50 \/ 40 \| 40 \|/);
  assert.match(md, /\| overload, 4× sustainable \| 4,800 \| 48,000 \| 10 s \| 12,000 \| 35,990 \| 10 \| 0 \| 2\.00 \/ 61 \/ 300 \| 40 \|/);
  assert.match(md, /p99 ≤ 10 ms at 500 req\/s — met \(8\.50 ms\)/);
  assert.match(md, /every request answered 200 or 503 — not met \(10 not\)/);
  assert.match(md, /p99 of the 200s ≤ 50 ms — not met \(61 ms\)/);
  const full = speedMarkdown({ machine: t as never, trainingBackends: undefined as never, generation: undefined as never, nearDupScaling: undefined as never,
    servingLatency: undefined as never, http: undefined as never, extraction: undefined as never, endToEnd: undefined as never,
    tail: { ok: false, reason: 'port in use', machine: undefined as never } });
  assert.match(full.join('\n'), /### Tail latency and overload over HTTP[^\n]*\n\nSkipped: port in use/);
});
