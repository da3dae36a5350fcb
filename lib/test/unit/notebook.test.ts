// The notebook support module: config resolution from a kernel's cwd, HTML tables, weighted counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot, notebookPreset, notebookConfig, latestRunDir, openCompanionRun } from '../../src/notebook/session.js';
import { fmtCI, pct, htmlTable, metricRows } from '../../src/notebook/tables.js';
import { weightedCounts, shareRows, weeklyShare, histogram } from '../../src/notebook/aggregate.js';
import type { VideoTable } from '../../src/data/table.js';
import { VigilError } from '../../src/util/errors.js';
import { tslabFailure } from '../helpers/tslab.js';

function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-nbroot-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'vigil' }));
  mkdirSync(join(root, 'notebooks', 'deep'), { recursive: true });
  // A nested package.json with another name must not stop the walk.
  writeFileSync(join(root, 'notebooks', 'package.json'), JSON.stringify({ name: 'something-else' }));
  mkdirSync(join(root, 'experiments'));
  writeFileSync(join(root, 'experiments', 'mini.json'), JSON.stringify({ name: 'mini', data: { path: 'datasets/mini' } }));
  return root;
}

test('repoRoot walks up past other package.json files to the one named vigil', () => {
  const root = fakeRepo();
  try {
    assert.equal(repoRoot(join(root, 'notebooks', 'deep')), root);
    assert.throws(() => repoRoot(tmpdir()), (e: unknown) => e instanceof VigilError && e.field === 'cwd');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('notebookPreset reads VIGIL_PRESET, defaults to default, rejects path-like names', () => {
  assert.equal(notebookPreset({}), 'default');
  assert.equal(notebookPreset({ VIGIL_PRESET: ' tiny ' }), 'tiny');
  assert.throws(() => notebookPreset({ VIGIL_PRESET: '../etc' }), (e: unknown) => e instanceof VigilError && e.field === 'VIGIL_PRESET');
});

test('notebookConfig resolves data.path and runsDir against the root; VIGIL_RUNS_DIR overrides', () => {
  const root = fakeRepo();
  try {
    const cfg = notebookConfig('mini', root, {});
    assert.equal(cfg.name, 'mini');
    assert.equal(cfg.data.path, join(root, 'datasets/mini'));
    assert.equal(cfg.runsDir, join(root, 'experiments/runs'));
    assert.equal(notebookConfig('mini', root, { VIGIL_RUNS_DIR: '/elsewhere/runs' }).runsDir, '/elsewhere/runs');
    assert.equal(latestRunDir(cfg), null, 'no runs folder yet');
    assert.equal(openCompanionRun('mean-pooling', cfg), null, 'a missing ablation run is null, not a training job');
    assert.throws(() => notebookConfig('absent', root, {}), (e: unknown) => e instanceof VigilError && e.field === 'config');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('fmtCI and pct format values, intervals and absence', () => {
  assert.equal(fmtCI({ value: 0.41234, ci: [0.38, 0.4501] }), '0.412 [0.380, 0.450]');
  assert.equal(fmtCI({ value: 0.5 }, 2), '0.50');
  assert.equal(fmtCI(0.25, 1), '0.3');
  assert.equal(fmtCI(undefined), '—');
  assert.equal(fmtCI(NaN), '—');
  assert.equal(pct(0.00344, 3), '0.344%');
  assert.equal(pct(null), '—');
});

test('htmlTable escapes cells and takes the union of columns', () => {
  const h = htmlTable([{ a: '<b>', b: 1 }, { c: true, a: 0.123456 }], { caption: 'x & y' });
  assert.ok(h.includes('&lt;b&gt;') && !h.includes('<b>'));
  assert.ok(h.includes('x &amp; y'));
  assert.deepEqual([...h.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]), ['a', 'b', 'c']);
  assert.ok(h.includes('>0.1235<') && h.includes('>yes<') && h.includes('>—<'));
});

test('metricRows reads plain numbers, {value, ci} and keyed rates; skips absent blocks', () => {
  const rows = metricRows({
    fusion: { n: 10, positives: 2, ap: { value: 0.5, ci: [0.4, 0.6] }, recall_at_fpr: { '0.02': 0.25 }, ece: 0.01 },
    gone: undefined,
  });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].AP, '0.500 [0.400, 0.600]');
  assert.equal(rows[0]['recall @ 2% FPR'], '0.250');
  assert.equal(rows[0]['ROC AUC'], '—');
  assert.equal(rows[0].positives, 2);
});

test('weighted counts, shares and histogram bins', () => {
  assert.deepEqual([...weightedCounts(['en', 'de', 'en'], [1, 4, 2])], [['en', 3], ['de', 4]]);
  assert.deepEqual(shareRows(['en', 'de', 'en'], [1, 4, 2]).map((r) => [r.key, r.count, r.share]), [['de', 4, 4 / 7], ['en', 3, 3 / 7]]);
  assert.throws(() => weightedCounts(['a'], [1, 2]), (e: unknown) => e instanceof VigilError && e.field === 'weights');
  assert.deepEqual(histogram([1, 4, 5, 9, 10, 600, 0], [1, 5, 10]), [{ bin: '1–4', count: 2 }, { bin: '≥5', count: 0 + 4 }]);
  assert.throws(() => histogram([1], [1]), (e: unknown) => e instanceof VigilError && e.field === 'edges');
});

test('weeklyShare weights rows within each Monday-based week', () => {
  const day = 86_400_000;
  const mon = Date.UTC(2026, 5, 1); // 2026-06-01 is a Monday
  const t = {
    n: 4, uploadTs: Float64Array.from([mon, mon + 2 * day, mon + 7 * day, mon + 8 * day]),
    weight: Float32Array.from([1, 3, 2, 2]), harmful: Int8Array.from([1, 0, 0, 0]),
  } as unknown as VideoTable;
  const r = weeklyShare(t, () => true, (i) => t.harmful[i] === 1);
  assert.deepEqual(r, [{ week: '2026-06-01', share: 0.25, among: 4 }, { week: '2026-06-08', share: 0, among: 4 }]);
});

test('tslab failures are recognised on stderr; ordinary stderr is not', () => {
  assert.ok(tslabFailure("3:14 - Cannot find name 'x'.\n"));
  assert.ok(tslabFailure('ReferenceError: y is not defined\n    at evalmachine.<anonymous>:3:1\n'));
  assert.ok(tslabFailure('unexpected error: Error: Debug Failure.\n'));
  assert.ok(!tslabFailure('dataset simulated in 3.2 s\nprogress 50%\n'));
});

test('runTrainConfig: the run manifest\'s recipe, else the recipe derived again from the run\'s training rows', async () => {
  const { runTrainConfig } = await import('../../src/notebook/session.js');
  const { parseConfig } = await import('../../src/config.js');
  const { deriveRecipe } = await import('../../src/model/recipe.js');
  const { synthVideos } = await import('../fixtures/synthVideos.js');
  const { table, split } = synthVideos({ n: 300, seed: 4, prevalence: 0.4 });
  const cfg = parseConfig({ train: { epochs: 3 } });
  const recorded = deriveRecipe({ rows: 37_246, positives: 626, positiveWeightSum: 626, negativeWeightSum: 244_133 }, cfg.train);
  const run = { manifest: { recipe: recorded }, split } as unknown as Parameters<typeof runTrainConfig>[0];
  const a = runTrainConfig(run, table, cfg);
  assert.equal(a.train.negativeKeepRate, 0.25, 'the recorded recipe, not one derived from this table');
  assert.equal(a.train.epochs, 3);
  const old = { manifest: {}, split } as unknown as Parameters<typeof runTrainConfig>[0];
  const b = runTrainConfig(old, table, cfg);
  assert.equal(b.train.negativeKeepRate, 1, 'derived from the run\'s own (small, balanced) training rows');
  assert.equal(b.train.epochs, 3);
});
