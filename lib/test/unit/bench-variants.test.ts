import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestTower, pairedDelta, parseSimVariants, variantPresetFor, BENCH_SIM_VARIANTS, type SimVariantsResult } from '../../src/bench/simVariants.js';
import { pairedSentence, variantsMarkdown, whereVigilLoses, qualityTable } from '../../src/bench/report.js';
import { DETECTOR_ROW, type QualityRow, type QualityArtifacts } from '../../src/bench/quality.js';
import { VigilError } from '../../src/util/errors.js';

const mv = (value: number | null, lo?: number, hi?: number) => ({ value, ci: lo === undefined ? null : [lo, hi] as [number, number] });
const row = (variant: string, kind: QualityRow['kind'], ap: number, extra: Partial<QualityRow> = {}): QualityRow => ({
  model: `model ${variant}`, variant, kind, status: 'ok', ap: mv(ap, ap - 0.05, ap + 0.05), recallAt2Fpr: mv(ap + 0.3, ap + 0.2, ap + 0.4),
  precisionTop1: mv(0.1), coldStartRecallAt2Fpr: mv(null), trainSeconds: 10, ...extra,
});
/** 100 resamples: value + a fixed per-resample wobble shared by every model (the paired part). */
const draws = (center: number, jitter = 0.0): QualityArtifacts['draws'][string] => {
  const ap = Float64Array.from({ length: 100 }, (_, k) => center + 0.05 * Math.sin(k) + jitter * Math.cos(3 * k));
  return { ap, recallAt2Fpr: ap.map((x) => x + 0.3) };
};

test('paired difference: b − a on the point estimate, interval from the paired draws', () => {
  const rows = [row('fusion', 'vigil', 0.40), row('tower:visual', 'baseline', 0.35), row('tower:audio', 'baseline', 0.10)];
  const d = { fusion: draws(0.40, 0.01), 'tower:visual': draws(0.35), 'tower:audio': draws(0.10) };
  const p = pairedDelta(rows, d, 'tower:visual', 'fusion', 'ap');
  assert.ok(Math.abs(p.delta! - 0.05) < 1e-12);
  // the shared wobble cancels: the paired interval is narrow and excludes 0, although the
  // separate intervals [0.30, 0.40] and [0.35, 0.45] overlap
  assert.ok(p.ci && p.ci[0] > 0.035 && p.ci[1] < 0.065, JSON.stringify(p.ci));
  assert.match(pairedSentence(p, (k) => k), /^fusion − tower:visual, AP: \+0\.050 \[\+0\.04\d, \+0\.06\d\] paired 95% — fusion is ahead\.$/);
  const loss = pairedDelta(rows, d, 'fusion', 'tower:audio', 'recallAt2Fpr');
  assert.match(pairedSentence(loss, (k) => k), /tower:audio − fusion, recall@2%FPR: −0\.300 .* — fusion is ahead\./);
  // overlap: equal models with independent noise
  const same = pairedDelta([row('a', 'baseline', 0.3), row('b', 'baseline', 0.3)], { a: draws(0.3), b: draws(0.3, 0.02) }, 'a', 'b', 'ap');
  assert.match(pairedSentence(same, (k) => k), /not separated/);
  // a model that did not run, or no draws
  const missing = pairedDelta(rows, d, 'tower:text', 'fusion', 'ap');
  assert.equal(missing.delta, null);
  assert.match(pairedSentence(missing, (k) => k), /not available/);
  const noDraws = pairedDelta(rows, {}, 'tower:visual', 'fusion', 'ap');
  assert.equal(noDraws.ci, null);
  assert.match(pairedSentence(noDraws, (k) => k), /\+0\.050 \(no paired interval\)/);
});

test('best tower: highest AP among ok tower rows only', () => {
  const rows = [row('fusion', 'vigil', 0.9), row('tower:meta', 'baseline', 0.05), row('tower:text', 'baseline', 0.2),
    row('tower:visual', 'baseline', 0.8, { status: 'failed' }), row(DETECTOR_ROW, 'reference', 0.95)];
  assert.equal(bestTower(rows), 'tower:text');
  assert.equal(bestTower([row('fusion', 'vigil', 0.9)]), null);
});

test('the frame detector is a reference: no train time, never "beats Vigil"', () => {
  const rows = [row('fusion', 'vigil', 0.3), row(DETECTOR_ROW, 'reference', 0.6, { trainSeconds: null, model: 'frame detector' })];
  assert.match(qualityTable(rows).split('\n')[3], /^\| frame detector \| 0\.600 .*\| n\/a \|/);
  assert.ok(!whereVigilLoses(rows).some((s) => /frame detector/.test(s)), whereVigilLoses(rows).join('\n'));
});

test('variants markdown: one table per variant with its knobs and the paired sentences', () => {
  const q = {
    preset: 'default', seed: 1,
    rows: { total: 61000, train: 37000, calib: 8000, test: 13000, testPositives: 390, coldStartTest: 1500, coldStartPositives: 50 },
    rowsTable: [row('fusion', 'vigil', 0.4), row('tower:visual', 'baseline', 0.3), row(DETECTOR_ROW, 'reference', 0.5, { model: 'frame detector', trainSeconds: null })],
    timings: { generationS: 1, writeS: 1, splitS: 1, preprocessS: 1, noiseS: 1, exportS: 0 },
    bootstrap: { resamples: 200, unit: 'creator', groups: 9000 },
    machine: { start: { cpuModel: 'cpu', cores: 2, memoryGiB: 8, node: 'v20', loadAverage1m: 1, os: 'linux' }, end: { cpuModel: 'cpu', cores: 2, memoryGiB: 8, node: 'v20', loadAverage1m: 2, os: 'linux' } },
  } as unknown as SimVariantsResult['results'][number]['quality'];
  const v: SimVariantsResult = {
    preset: 'default',
    results: [{
      variant: 'faint-segment', knobs: { faintSegmentFrames: 4, faintHarm: 4 }, quality: q, bestTower: 'tower:visual',
      fusionVsBestTower: [{ a: 'tower:visual', b: 'fusion', metric: 'ap', delta: 0.1, ci: [0.05, 0.15] }],
      visualVsDetector: [{ a: DETECTOR_ROW, b: 'tower:visual', metric: 'ap', delta: -0.2, ci: [-0.25, -0.15] }],
    }],
  };
  const md = variantsMarkdown(v).join('\n');
  assert.match(md, /### `faint-segment` — faintSegmentFrames=4, faintHarm=4/);
  assert.match(md, /\| model fusion \| 0\.400 /);
  assert.match(md, /- Fusion vs the best single tower: model fusion − model tower:visual, AP: \+0\.100 \[\+0\.050, \+0\.150\] paired 95% — model fusion is ahead\./);
  assert.match(md, /- Visual tower vs the frame detector: model tower:visual − frame detector, AP: −0\.200 \[−0\.250, −0\.150\] paired 95% — frame detector is ahead\./);
});

test('--sim-variants parsing and the section preset', () => {
  assert.deepEqual(parseSimVariants(undefined), BENCH_SIM_VARIANTS);
  assert.deepEqual(parseSimVariants(' noise-audio, faint-segment '), ['noise-audio', 'faint-segment']);
  for (const bad of ['none', 'loud', 'constructor']) {
    assert.throws(() => parseSimVariants(bad), (e: unknown) => e instanceof VigilError && e.field === 'sim-variants' && e.message.includes(`'${bad}'`));
  }
  assert.equal(variantPresetFor('bench'), 'default');
  assert.equal(variantPresetFor('default'), 'default');
  assert.equal(variantPresetFor('tiny'), 'tiny');
});
