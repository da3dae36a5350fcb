import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/util/atomic.js';
import { writeRunFolder, readRun } from '../../src/runs/runFolder.js';
import { reportInputFromRun } from '../../src/report/fromRun.js';
import { runCli } from '../helpers/runCli.js';
import { tmpDir } from '../fixtures/runs.js';

const mv = (value: number | null, lo?: number, hi?: number) => ({ value, ci: lo === undefined ? null : [lo, hi] });

/** metrics.json / policy.json as the evaluation and policy stages write them (nulls where undefined). */
async function stageShapedRun(runs: string): Promise<string> {
  return writeRunFolder(runs, 'r1', (dir) => {
    writeJsonAtomic(join(dir, 'manifest.json'), {
      runId: 'r1', createdAt: '2026-11-27T10:00:00Z', configName: 'default',
      config: { name: 'default', policy: { minRecall: 0.9, maxFpr: 0.02, minTopPrecision: 0.25, topShare: 0.01 }, eval: { minSlicePositives: 20 } },
      dataset: { path: 'datasets/default', fingerprint: 'abc' }, split: { fingerprint: 'def' }, backend: 'wasm', git: { commit: null, dirty: null },
      timings: { train: 12.5 }, node: 'v20', versions: {}, files: {},
      machine: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', memoryBytes: 1 },
    });
    const test = { n: 26000, positives: 93, ap: mv(0.42, 0.35, 0.49), roc_auc: mv(0.98, 0.97, 0.99),
      recall_at_fpr: { '0.02': { ...mv(0.93, 0.91, 0.96), threshold: 0.03 } }, precision_at_top: { '0.01': { ...mv(0.27, 0.22, 0.33), threshold: 0.2 } },
      ece: mv(0.0012, 0.0008, 0.002), brier: mv(0.003) };
    writeJsonAtomic(join(dir, 'metrics.json'), {
      test,
      slices: { cold_start: { ...test, n: 4000, positives: 31, support: { rows: 4000, positives: 31 }, too_small: false }, 'region:IN': { ...test, n: 900, positives: 4, ap: mv(null), support: { rows: 900, positives: 4 }, too_small: true } },
      models: { fusion: { test }, metadata_only: { test: { ...test, ap: mv(0.12, 0.08, 0.16) } } },
      oracle: { test: { ...test, ap: mv(0.55, 0.5, 0.6) } },
    });
    writeJsonAtomic(join(dir, 'policy.json'), {
      block_threshold: 0.6, queue_threshold: 0.04, feasible: false,
      constraints: { minRecall: 0.9, maxFpr: 0.02, queueCapacity: 0.01 },
      achieved: { recall: mv(0.91, 0.86, 0.95), fpr: mv(0.021, 0.019, 0.023), queue_share: mv(0.02, 0.018, 0.022), block_share: mv(0.002, 0.001, 0.003) },
      constraint_status: { recall: { required: '>= 0.9', value: 0.91, met: true, binding: true }, fpr: { required: '<= 0.02', value: 0.021, met: false, binding: false }, queue_capacity: { required: '<= 0.01', value: 0.02, met: false, binding: false } },
      binding: [{ constraint: 'recall', kind: 'conflict', statement: 'recall ≥ 90% needs 2.2% of uploads flagged; the queue holds 1%' }],
      compromise: { statement: 'queue capacity given up to keep recall' },
    });
  });
}

test('a report input is derived from the run folder in the stage formats', async () => {
  const runs = tmpDir('fromrun');
  const input = reportInputFromRun(readRun(await stageShapedRun(runs)));
  assert.deepEqual(input.test?.ap, { value: 0.42, ci: [0.35, 0.49] });
  assert.equal(input.test?.ece, 0.0012);
  assert.deepEqual(input.test?.criteria?.map((c) => c.metric?.value ?? null), [0.93, 0.27, null]);
  assert.deepEqual(input.models?.rows.map((r) => r.name), ['fusion', 'metadata_only', 'oracle (ceiling)']);
  assert.equal(input.slices?.rows.find((s) => s.slice === 'region:IN')?.ap, undefined, 'a null metric is absent, not 0');
  assert.equal(input.policy?.feasible, false);
  assert.deepEqual(input.policy?.binding, ['recall ≥ 90% needs 2.2% of uploads flagged; the queue holds 1%']);
  const fpr = input.policy?.constraints.find((c) => c.name === 'fpr');
  assert.deepEqual(fpr, { name: 'fpr', direction: '<=', target: 0.02, unit: '%', metric: { value: 0.021, ci: [0.019, 0.023] } });
  assert.ok(Math.abs(input.policy!.actionShares!.allow - 0.978) < 1e-12);
  const withExtras = reportInputFromRun(readRun(join(runs, 'r1')), { latency: { n: 100, p50: 1, p95: 2, p99: 250, budgetMs: 200 } });
  assert.equal(withExtras.test?.criteria?.[2].metric?.value, 250, 'latency extras feed the criteria');
});

test('vigil report re-renders into reports/<run>/ and rebuilds the index without touching the run folder', async () => {
  const root = tmpDir('reportcmd');
  const runs = join(root, 'runs');
  const dir = await stageShapedRun(runs);
  const before = readdirSync(dir).sort();
  const { code, out } = await runCli(['report', 'r1', '--dir', runs, '--reports', join(root, 'reports')]);
  assert.equal(code, 0, out);
  assert.deepEqual(readdirSync(dir).sort(), before);
  const md = readFileSync(join(root, 'reports', 'r1', 'report.md'), 'utf8');
  assert.match(md, /\| recall at ≤ 2\.0% FPR \(recent-time test\) \| >= 90\.0% \| 93\.0% \[91\.0, 96\.0\] \| met \|/);
  assert.match(md, /\| precision in the top 1\.0% highest risk \| >= 25\.0% \| 27\.0% \[22\.0, 33\.0\] \| not proven \|/);
  assert.match(md, /## PR and ROC curves\n\n_Not run/);
  assert.match(readFileSync(join(root, 'reports', 'index.md'), 'utf8'), /r1/);
});
