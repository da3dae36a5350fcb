// The run folder's JSON files against their schemas (lib/src/artifacts/): what the writers produce
// passes, and a hand-edited file fails when it is read, with the file and the field path named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunFile, readRunFile, writeRunFile, checkRunFile } from '../../src/artifacts/runFiles.js';
import { listRuns, readRun } from '../../src/runs/runFolder.js';
import { buildManifest } from '../../src/runs/manifest.js';
import { buildBootstrapFile } from '../../src/runs/bootstrapFile.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { choosePolicy } from '../../src/policy/choose.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { sha256 } from '../../src/util/hash.js';
import { VigilError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';
import { block, tmpDir, writeFakeRun } from '../fixtures/runs.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG } from '../helpers/servingFixture.js';

/** Fails with a VigilError whose field is `field` and whose message names the file and the path. */
const namesField = (file: string, field: string) => (e: unknown): boolean => {
  assert.ok(e instanceof VigilError, String(e));
  assert.equal(e.field, `${file}:${field}`);
  assert.ok(e.message.includes(file) && e.message.includes(`'${field}'`), e.message);
  return true;
};

async function runWith(edit: (dir: string) => void): Promise<string> {
  const runs = tmpDir('tampered');
  const dir = await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03), feasible: true });
  edit(dir);
  return dir;
}

const editJson = (path: string, change: (o: Record<string, any>) => void) => {
  const o = JSON.parse(readFileSync(path, 'utf8'));
  change(o);
  writeFileSync(path, JSON.stringify(o));
};

test('what the stage writers produce passes its file schema', async () => {
  const rng = createRng(5);
  const n = 400;
  const labels = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const scores = labels.map((y) => Math.min(1, Math.max(0, 0.3 * y + 0.7 * rng.next())));
  const weights = labels.map(() => 1);
  const groups = labels.map((_, i) => i % 50);
  const test = evaluate(scores, labels, weights, groups, { bootstrap: 20 });
  // metrics.json as the evaluation writes it, NaN metrics included (they become null in the file).
  assert.doesNotThrow(() => checkRunFile('metrics.json', { test, slices: { empty: { ...test, n: 0, ap: { value: NaN, ci: null } } } }));
  assert.doesNotThrow(() => checkRunFile('policy.json', choosePolicy(scores, labels, weights, { bootstrap: 20 }, { groups })));
  const draws = { test: { ap: Float64Array.from([0.5, NaN, 0.4]) }, slices: {} };
  assert.doesNotThrow(() => checkRunFile('bootstrap.json', buildBootstrapFile(draws, { testVideoIds: ['a'], groupIds: [1], seed: 1, resamples: 3 })));
  const dir = tmpDir('manifest');
  writeFileSync(join(dir, 'metrics.json'), '{}');
  writeRunFile(dir, 'manifest.json', await buildManifest({ runId: 'x', config: { name: 'cfg' }, datasetPath: 'd', dir, cwd: process.cwd() }));
  assert.equal(readRunFile(dir, 'manifest.json').configName, 'cfg');
  rmSync(dir, { recursive: true, force: true });
});

test('a writer handing over an off-schema value fails before anything is written', () => {
  const dir = tmpDir('writer');
  assert.throws(() => writeRunFile(dir, 'bootstrap.json', { sampleKey: 'k', resamples: -1, blocks: {} }), namesField('bootstrap.json', 'resamples'));
  assert.throws(() => readRunFile(dir, 'bootstrap.json'), /has no bootstrap\.json/);
  rmSync(dir, { recursive: true, force: true });
});

test('a tampered metrics.json fails naming the file and the field', async () => {
  const dir = await runWith((d) => editJson(join(d, 'metrics.json'), (o) => { o.test.recall_at_fpr['0.02'] = 'high'; }));
  assert.throws(() => readRun(dir), namesField('metrics.json', 'test.recall_at_fpr.0.02'));
  assert.throws(() => readRun(dir), /expected one of: .*expected number.*\| .*expected object/);
  const missing = await runWith((d) => editJson(join(d, 'metrics.json'), (o) => { delete o.test; }));
  assert.throws(() => readRun(missing), namesField('metrics.json', 'test'));
});

test('a tampered manifest.json fails naming the field; listing skips that run and says why', async () => {
  const dir = await runWith((d) => editJson(join(d, 'manifest.json'), (o) => { o.git.commit = 42; }));
  assert.throws(() => readRun(dir), namesField('manifest.json', 'git.commit'));
  const old = await runWith((d) => editJson(join(d, 'manifest.json'), (o) => { delete o.createdAt; }));
  assert.throws(() => readRun(old), (e: unknown) => namesField('manifest.json', 'createdAt')(e) && /expected string, received undefined/.test((e as Error).message));
  const skipped: string[] = [];
  assert.deepEqual(listRuns(join(dir, '..'), (_d, why) => skipped.push(why)), []);
  assert.match(skipped[0], /git\.commit/);
});

test('a tampered policy.json fails naming the field: runs, and serving even when re-hashed into the manifest', async () => {
  const dir = await runWith((d) => editJson(join(d, 'policy.json'), (o) => { o.block_threshold = 1.5; }));
  assert.throws(() => readRun(dir), namesField('policy.json', 'block_threshold'));
  assert.equal(parseRunFile('policy.json', { block_threshold: 0.5, queue_threshold: 0.1 }).queue_threshold, 0.1);
  assert.throws(() => parseRunFile('policy.json', { block_threshold: 0.2, queue_threshold: 0.3 }), namesField('policy.json', 'queue_threshold'));

  const run = makeRunFolder({ seed: 4 });
  try {
    const policyPath = join(run.dir, 'policy.json'), manifestPath = join(run.dir, 'manifest.json');
    editJson(policyPath, (o) => { o.queue_threshold = 'low'; });
    editJson(manifestPath, (o) => { o.serving.files['policy.json'].sha256 = sha256(readFileSync(policyPath)); });
    await assert.rejects(loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) }),
      (e: unknown) => e instanceof VigilError && e.field === 'policy.json:queue_threshold' && /refusing to serve/.test(e.message));
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});
