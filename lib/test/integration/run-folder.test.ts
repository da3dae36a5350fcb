import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRunId, listPartialRuns, listRuns, partialRunAlive, readRun, writeRunFolder, stableStringify } from '../../src/runs/runFolder.js';
import { buildManifest } from '../../src/runs/manifest.js';
import { getMetric, type StoredMetricBlock } from '../../src/runs/metricsFile.js';
import { sha256 } from '../../src/util/hash.js';
import { VigilError } from '../../src/util/errors.js';
import { block, tmpDir, writeFakeRun } from '../fixtures/runs.js';

test('run ids are time-sortable, name the config and change with its content only', () => {
  const t = new Date(Date.UTC(2026, 10, 27, 23, 45, 1));
  const a = createRunId({ name: 'Fusion MLP!', train: { epochs: 3, lr: 0.01 } }, t);
  const b = createRunId({ train: { lr: 0.01, epochs: 3 }, name: 'Fusion MLP!' }, t);
  const c = createRunId({ name: 'Fusion MLP!', train: { epochs: 4, lr: 0.01 } }, t);
  assert.match(a, /^20261127-234501-fusion-mlp-[0-9a-f]{8}$/);
  assert.equal(a, b, 'key order must not change the id');
  assert.notEqual(a, c);
  assert.equal(a.slice(-8), sha256(stableStringify({ name: 'Fusion MLP!', train: { epochs: 3, lr: 0.01 } })).slice(0, 8));
});

test('a writer that throws leaves nothing listed and no folder behind', async () => {
  const runs = tmpDir('runs');
  await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03) });
  await assert.rejects(writeRunFolder(runs, 'r2', (dir) => {
    writeFileSync(join(dir, 'manifest.json'), '{}');
    writeFileSync(join(dir, 'metrics.json'), '{"test":{}}');
    throw new Error('killed during training');
  }), /killed during training/);
  assert.deepEqual(readdirSync(runs), ['r1']);
  assert.deepEqual(listRuns(runs).map((r) => r.id), ['r1']);
});

test('listRuns skips partial, hidden and incomplete folders and reads headline numbers', async () => {
  const runs = tmpDir('runs');
  await writeFakeRun(runs, { id: 'b-run', createdAt: '2026-11-02T00:00:00Z', test: block(0.5, 0.85, 0.02), feasible: false });
  await writeFakeRun(runs, { id: 'a-run', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03) });
  // What a killed process leaves: the hidden partial folder, complete-looking inside.
  mkdirSync(join(runs, '.c-run.partial-123-456'));
  writeFileSync(join(runs, '.c-run.partial-123-456', 'manifest.json'), '{}');
  writeFileSync(join(runs, '.c-run.partial-123-456', 'metrics.json'), '{"test":{}}');
  mkdirSync(join(runs, 'no-metrics'));
  writeFileSync(join(runs, 'no-metrics', 'manifest.json'), '{}');
  const list = listRuns(runs);
  assert.deepEqual(list.map((r) => r.id), ['a-run', 'b-run'], 'oldest first, only complete runs');
  assert.equal(list[1].ap?.value, 0.5);
  assert.deepEqual(list[1].recallAt2Fpr?.ci, [0.83, 0.87]);
  assert.equal(list[1].top1Precision?.value, 0.2);
  assert.equal(list[1].feasible, false);
  assert.equal(list[0].feasible, null, 'no policy.json → unknown');
  assert.throws(() => readRun(join(runs, 'no-metrics')), (e: unknown) => e instanceof VigilError && /metrics\.json/.test(e.message));
});

test('an existing run folder is never overwritten', async () => {
  const runs = tmpDir('runs');
  await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03) });
  await assert.rejects(writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.1, 0.1, 0.03) }), /already exists/);
  assert.equal(readRun(join(runs, 'r1')).metrics.test.ap && getMetric(readRun(join(runs, 'r1')).metrics.test, 'ap')?.value, 0.4);
  await assert.rejects(writeRunFolder(runs, '../escape', () => {}), (e: unknown) => e instanceof VigilError && e.field === 'runId');
});

test('getMetric reads plain numbers, {value, ci}, sibling _ci and dotted rate keys', () => {
  const b: StoredMetricBlock = { ap: 0.3, ap_ci: [0.2, 0.4], roc_auc: { value: 0.9, ci: [0.88, 0.92] as [number, number] }, recall_at_fpr: { '0.02': { value: 0.7 } }, ece: Number.NaN };
  assert.deepEqual(getMetric(b, 'ap'), { value: 0.3, ci: [0.2, 0.4] });
  assert.deepEqual(getMetric(b, 'roc_auc'), { value: 0.9, ci: [0.88, 0.92] });
  assert.deepEqual(getMetric(b, 'recall_at_fpr.0.02'), { value: 0.7 });
  assert.equal(getMetric(b, 'recall_at_fpr.0.01'), undefined);
  assert.equal(getMetric(b, 'ece'), undefined, 'NaN is not a value');
});

test('the manifest hashes every artifact and records versions and the machine', async () => {
  const dir = tmpDir('manifest');
  writeFileSync(join(dir, 'policy.json'), '{"feasible":true}');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'model.onnx'), Buffer.from([1, 2, 3]));
  writeFileSync(join(dir, 'manifest.json'), 'old');
  const m = await buildManifest({
    runId: 'x', config: { name: 'cfg' }, datasetPath: 'datasets/tiny', datasetFingerprint: 'abc', splitFingerprint: 'def',
    backend: 'wasm', timings: { split: 1.5, train: 10 }, dir, cwd: process.cwd(),
  });
  assert.deepEqual(Object.keys(m.files).sort(), ['policy.json', 'sub/model.onnx']);
  assert.equal(m.files['sub/model.onnx'], sha256(Buffer.from([1, 2, 3])));
  assert.equal(m.configName, 'cfg');
  assert.equal(m.backend, 'wasm');
  assert.equal(m.dataset.fingerprint, 'abc');
  assert.match(m.versions['apache-arrow'] ?? '', /^\d+\.\d+\.\d+/);
  assert.ok(m.machine.cpus >= 1 && m.machine.memoryBytes > 0);
  assert.equal(m.node, process.version);
  assert.ok(m.git.commit === null || /^[0-9a-f]{40}$/.test(m.git.commit));
  const outside = await buildManifest({ config: {}, datasetPath: 'd', cwd: tmpDir('nogit') });
  assert.deepEqual(outside.git, { commit: null, dirty: null }, 'outside a checkout the commit is null, not a crash');
  assert.ok(existsSync(join(dir, 'manifest.json')));
});

test('a run killed half way (SIGKILL) leaves only a hidden partial folder that listing ignores', async () => {
  const runs = tmpDir('killed');
  const mod = join(__dirname, '..', '..', 'src', 'runs', 'runFolder.js');
  const script = `
    const { writeRunFolder } = require(${JSON.stringify(mod)});
    const { writeFileSync } = require('node:fs');
    const { join } = require('node:path');
    writeRunFolder(${JSON.stringify(runs)}, 'half', async (dir) => {
      writeFileSync(join(dir, 'manifest.json'), '{"runId":"half"}');
      writeFileSync(join(dir, 'metrics.json'), '{"test":{"ap":0.5}}');
      process.stdout.write('written\\n');
      await new Promise(() => setInterval(() => {}, 1000)); // training that never ends
    });`;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('written')) resolve(); });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const left = readdirSync(runs);
  assert.equal(left.length, 1);
  assert.match(left[0], /^\.half\.partial-/);
  assert.deepEqual(listRuns(runs), []);
  assert.deepEqual(listPartialRuns(runs), [join(runs, left[0])]);
  assert.equal(partialRunAlive(join(runs, left[0])), false, 'its writer is dead');
  assert.equal(partialRunAlive(join(runs, `.x.partial-${process.pid}-1`)), true, 'a live writer is a run in progress');
});
