// The notebook research loop and error listing on a tiny simulated dataset: a variant trained in
// memory with the reference's own config reproduces the reference run exactly (paired deltas of 0),
// a one-value change is listed, reuses the fitted preprocessing and is saved where `vigil runs` and
// the reports index see it; errors on the calibration window are exactly the policy's mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyRunConfig } from '../helpers/tinyRunConfig.js';
import { runExperiment } from '../../src/pipeline/run.js';
import { prepareFit } from '../../src/pipeline/fit.js';
import { loadDataset } from '../../src/pipeline/dataset.js';
import { listRuns, readRun } from '../../src/runs/runFolder.js';
import { readSplitParquet } from '../../src/split/io.js';
import { setQuiet } from '../../src/util/progress.js';
import { VigilError } from '../../src/util/errors.js';
import { applyConfigOverride, compareWithRun, evaluateOnCalibration, saveVariant, trainVariant } from '../../src/notebook/research.js';
import { explainErrors, listErrors } from '../../src/notebook/errors.js';
import type { Policy } from '../../src/policy/types.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-research-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
setQuiet(true);

const cfg = tinyRunConfig('research-test', root, { variants: [], parityRows: 100, latencyIterations: 3, runsDir: join(root, 'experiments', 'runs') });

test('a config override names an unknown key and keeps the rest of the config', () => {
  assert.throws(() => applyConfigOverride(cfg, { model: { pooing: 'mean' } }), (e: unknown) => e instanceof VigilError && /model\.pooing/.test(e.message));
  const c = applyConfigOverride(cfg, { model: { pooling: 'mean' } }, 'x');
  assert.equal(c.model.pooling, 'mean');
  assert.equal(c.name, 'x');
  assert.deepEqual(c.model.towers, cfg.model.towers);
});

test('train a variant, compare it with the reference run, save it; list the reference run\'s errors', { timeout: 600_000 }, async () => {
  const ref = await runExperiment(cfg, { runId: 'reference' });
  const ds = await loadDataset(cfg.data.path);
  const refRun = readRun(ref.runDir);

  // The reference's own config, trained again in memory: the gate sees no difference at all.
  const same = await trainVariant(ds, cfg, {}, { name: cfg.name, referenceDir: ref.runDir });
  assert.deepEqual(same.changes, []);
  assert.equal(same.fit.reusedPreprocessor, true, 'same split → the run\'s preprocessor.json is reused');
  const cmpSame = compareWithRun(refRun, ds, same);
  const overall = cmpSame.rows.filter((r) => r.slice === 'overall' && r.delta !== null);
  assert.ok(overall.length >= 3);
  for (const r of overall) {
    assert.equal(r.delta, 0, `${r.metric}: the in-memory variant differs from the run it reproduces`);
    assert.equal(r.ciMethod, 'paired');
  }
  assert.equal(cmpSame.verdict, 'promote');
  // A preprocessor fitted on another split is never reused: its training rows were different.
  const other = await prepareFit(ds.table, cfg, { reuse: { fitted: same.fit.fitted, splitFingerprint: 'another-split' } });
  assert.equal(other.reusedPreprocessor, false);
  assert.notEqual(other.fitted, same.fit.fitted);

  // One change, with a live progress line per epoch.
  const lines: string[] = [];
  const v = await trainVariant(ds, cfg, { model: { pooling: 'mean' } }, { name: 'research-test-mean', referenceDir: ref.runDir, onProgress: (l) => lines.push(l) });
  assert.deepEqual(v.changes, [{ path: 'model.pooling', from: cfg.model.pooling, to: 'mean' }]);
  assert.ok(lines.filter((l) => l.startsWith('train: epoch')).length >= 1, lines.join('\n'));
  const calib = evaluateOnCalibration(ds, v);
  assert.equal(calib.n, v.fit.rows.calib.length);
  const cmp = compareWithRun(refRun, ds, v);
  assert.ok(cmp.rows.some((r) => r.metric === 'ap' && r.slice === 'overall' && r.ciMethod === 'paired'));

  const saved = await saveVariant(ds, v);
  const listed = listRuns(cfg.runsDir);
  assert.ok(listed.some((r) => r.dir === saved.runDir && r.configName === 'research-test-mean'), 'vigil runs lists the saved variant');
  assert.ok(readFileSync(saved.indexPath, 'utf8').includes(saved.runId), 'reports/index.html lists the saved variant');
  assert.equal(saved.indexPath, join(root, 'reports', 'index.html'));

  // Errors on the calibration window: exactly the policy's mistakes there, counted consistently.
  const policy = JSON.parse(readFileSync(join(ref.runDir, 'policy.json'), 'utf8')) as Policy;
  const split = await readSplitParquet(join(ref.runDir, 'split.parquet'));
  const errs = await listErrors({ dir: ref.runDir, split, policy }, ds.table, { eval: cfg.eval, truth: ds.truth });
  assert.equal(errs.rows, v.fit.rows.calib.length);
  for (const c of errs.cases) {
    if (c.kind === 'miss') { assert.equal(c.label, 1); assert.equal(c.action, 'ALLOW'); assert.ok(c.risk < policy.queue_threshold); }
    else { assert.equal(c.label, 0); assert.notEqual(c.action, 'ALLOW'); assert.ok(c.risk >= policy.queue_threshold); }
    assert.ok(v.fit.rows.calib.includes(c.row), 'only calibration rows');
    assert.ok(c.trueLabel === 0 || c.trueLabel === 1, 'simulator truth attached');
  }
  const all = errs.bySlice.find((g) => g.group === 'all')!;
  assert.equal(all.rows, errs.rows);
  assert.equal(all.misses + all.falseAlarms, errs.cases.length);
  assert.equal(errs.byCreatorHistory.reduce((s, g) => s + g.rows, 0), errs.rows);
  const worst = await explainErrors(ref.runDir, ds.table, errs.cases.slice(0, 3));
  assert.equal(worst.length, Math.min(3, errs.cases.length));
  for (const w of worst) {
    assert.ok(Number.isFinite(w.towerLogits.visual) && Number.isFinite(w.risk));
    assert.ok(Array.isArray(w.reasonCodes));
    if (w.attention) assert.ok(w.attention.start_s <= w.attention.end_s);
  }
});
