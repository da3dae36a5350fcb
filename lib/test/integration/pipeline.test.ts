// `vigil run` end to end on a small simulated dataset: the run folder has every CONTRACTS.md file,
// metrics.json / policy.json have the contract's keys, ONNX parity holds, the folder loads for
// serving, and the same config on the same data reproduces the same metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyRunConfig } from '../helpers/tinyRunConfig.js';
import { runExperiment } from '../../src/pipeline/run.js';
import { listRuns, readRun } from '../../src/runs/runFolder.js';
import { compareRuns } from '../../src/runs/compare.js';
import { quantileSorted } from '../../src/stats/bootstrap.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { loadFittedPreprocessor } from '../../src/serve/fittedPreprocessing.js';
import { loadKnownContent } from '../../src/serve/knownContent.js';
import { readSplitParquet } from '../../src/split/io.js';
import { setQuiet } from '../../src/util/progress.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-pipeline-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
setQuiet(true);

const cfg = tinyRunConfig('pipeline-test', root, { variants: ['cart', 'tower:meta'], parityRows: 200, latencyIterations: 5, runsDir: join(root, 'runs') });

test('a run writes the contract run folder atomically, and reruns reproduce its metrics', { timeout: 900_000 }, async () => {
  const a = await runExperiment(cfg, { runId: 'run-a' });
  for (const f of ['manifest.json', 'split.parquet', 'metrics.json', 'policy.json', 'model.onnx', 'report.html', 'report.md',
    'preprocessor.json', 'reason_codes.json', 'known_content.json', 'reference.json', 'bootstrap.json']) {
    assert.ok(existsSync(join(a.runDir, f)), `missing ${f}`);
  }
  assert.deepEqual(readdirSync(join(root, 'runs')).filter((d) => d.startsWith('.')), [], 'no partial folder left behind');

  const m = JSON.parse(readFileSync(join(a.runDir, 'metrics.json'), 'utf8'));
  for (const k of ['n', 'positives', 'ap', 'roc_auc', 'recall_at_fpr', 'precision_at_top', 'ece', 'brier']) assert.ok(k in m.test, `metrics.test.${k}`);
  for (const k of ['0.02', '0.01', '0.005']) {
    const v = m.test.recall_at_fpr[k];
    assert.ok(typeof v.value === 'number' && Array.isArray(v.ci) && v.ci[0] <= v.value && v.value <= v.ci[1], `recall_at_fpr ${k}`);
  }
  assert.ok(m.models.fusion && m.models.cart, 'models side by side');
  assert.ok(m.oracle.test.ap.value > m.models.cart.test.ap.value, 'the oracle is the ceiling');
  assert.ok(Object.keys(m.slices).length >= 5, 'slices');
  assert.equal(m.serving.parity.passed, true);
  assert.ok(m.serving.parity.max <= 1e-4);

  const p = JSON.parse(readFileSync(join(a.runDir, 'policy.json'), 'utf8'));
  for (const k of ['block_threshold', 'queue_threshold', 'constraints', 'achieved', 'feasible', 'binding']) assert.ok(k in p, `policy.${k}`);
  assert.ok(p.queue_threshold <= p.block_threshold);

  const manifest = JSON.parse(readFileSync(join(a.runDir, 'manifest.json'), 'utf8'));
  assert.ok(manifest.dataset.fingerprint && manifest.split.fingerprint && manifest.backend && manifest.timings.train >= 0);
  assert.ok(manifest.serving.files['model.onnx'].sha256, 'model sha256 in the manifest');
  // The simulator has every modality: all configured towers are fused, none dropped.
  assert.deepEqual(manifest.towers, { towers: ['meta', 'visual', 'audio', 'text'], dropped: [] });
  // The training recipe: explicit config values win, the rest is derived from the training rows, each with a reason.
  const entry = (f: string) => manifest.recipe.entries.find((e: { field: string }) => e.field === f);
  assert.deepEqual([entry('epochs').value, entry('epochs').source, entry('batchSize').value, entry('batchSize').source], [2, 'explicit', 256, 'explicit']);
  for (const f of ['negativeKeepRate', 'positiveWeight', 'learningRate', 'earlyStoppingPatience']) {
    assert.equal(entry(f).source, 'derived', f);
    assert.ok(entry(f).value > 0 && entry(f).reason.length > 0, f);
  }
  assert.deepEqual(a.recipe, manifest.recipe);
  // Model selection on the calibration window: the meta tower was judged and one model exported, with its reason.
  const sel = m.model_selection;
  assert.ok(sel.towers.find((t: { tower: string }) => t.tower === 'meta').judged);
  assert.ok(sel.towers.filter((t: { tower: string; judged: boolean }) => t.tower !== 'meta').every((t: { judged: boolean }) => !t.judged));
  assert.ok(['fusion', 'tower:meta', 'text:linear'].includes(sel.exported) && sel.reason.length > 0);
  // The stacked linear text score is a candidate whenever the text tower is kept; exported only when strictly ahead.
  assert.ok(sel.linearText && sel.linearText.exported === (sel.exported === 'text:linear'));
  assert.ok(sel.exportedCalibAp >= sel.fused.calibAp && sel.exportedCalibAp >= sel.towers.find((t: { tower: string }) => t.tower === 'meta').calibAp);
  const md = readFileSync(join(a.runDir, 'report.md'), 'utf8');
  assert.match(md, /Training recipe and model selection/);
  assert.match(md, new RegExp(`exported model[^\\n]*${sel.exported}`));

  // The split the run used is a readable artifact with the contract's columns.
  const split = await readSplitParquet(join(a.runDir, 'split.parquet'));
  assert.ok(split.videoId.length > 0 && split.split.some((s) => s === 2));

  // The folder serves exactly as `vigil serve` loads it.
  const { scorer } = await loadRunFolder(a.runDir, { loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
  await scorer.close();

  // Same config, same data, same backend → same metrics.
  const b = await runExperiment(cfg, { runId: 'run-b' });
  const mb = JSON.parse(readFileSync(join(b.runDir, 'metrics.json'), 'utf8'));
  assert.equal(mb.test.ap.value, m.test.ap.value);
  assert.deepEqual(mb.test.recall_at_fpr, m.test.recall_at_fpr);
  assert.deepEqual(listRuns(join(root, 'runs')).map((r) => r.id).sort(), ['run-a', 'run-b']);
  const cmp = compareRuns(readRun(a.runDir), readRun(b.runDir));
  assert.equal(cmp.verdict, 'promote', 'an identical candidate passes the gate');
  // Both runs resampled the same test groups: differences are paired, and identical runs differ by 0 on every resample.
  assert.equal(cmp.ciMethod, 'paired');
  for (const r of cmp.rows.filter((x) => x.slice === 'overall' && x.gated)) assert.deepEqual(r.ci, [0, 0], r.metric);

  // bootstrap.json holds every resample in draw order; its percentiles are the metrics.json interval.
  const boot = JSON.parse(readFileSync(join(a.runDir, 'bootstrap.json'), 'utf8'));
  const apDraws: number[] = boot.blocks.test.ap;
  assert.equal(apDraws.length, boot.resamples);
  assert.equal(boot.resamples, m.test.bootstrap.resamples);
  const sorted = Float64Array.from(apDraws.filter((x) => x !== null)).sort();
  assert.ok(Math.abs(quantileSorted(sorted, 0.025) - m.test.ap.ci[0]) < 1e-6 && Math.abs(quantileSorted(sorted, 0.975) - m.test.ap.ci[1]) < 1e-6);
  assert.ok(Object.keys(boot.blocks).some((k) => k.startsWith('slice:')), 'slices have draws too');
});
