import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { makeSplit, splitFingerprint, canonicalGroupIds } from '../../src/split/split.js';
import { writeSplitParquet, readSplitParquet } from '../../src/split/io.js';
import { leakageDemoIndices } from '../../src/split/leakageDemo.js';
import { TRAIN, TEST } from '../../src/split/types.js';

const data = syntheticTable({ n: 2500, days: 110, creators: 250, reuploadRate: 0.2, prevalence: 0.1, seed: 8 });
const cfg = splitConfigSchema.parse({});

test('same table and seed → identical split and fingerprint', () => {
  const a = makeSplit(data.table, cfg, 7), b = makeSplit(data.table, cfg, 7);
  assert.deepEqual(a.assignment, b.assignment);
  assert.equal(splitFingerprint(a.assignment), splitFingerprint(b.assignment));
  assert.match(splitFingerprint(a.assignment), /^[0-9a-f]{64}$/);
  const changed = { ...a.assignment, split: a.assignment.split.slice() };
  changed.split[0] = changed.split[0] === TRAIN ? TEST : TRAIN;
  assert.notEqual(splitFingerprint(changed), splitFingerprint(a.assignment));
  // The report is plain JSON (it goes into the manifest).
  assert.deepEqual(JSON.parse(JSON.stringify(a.report)).purge, a.report.purge);
});

test('the fingerprint ignores row order; group ids are canonical', () => {
  const a = makeSplit(data.table, cfg, 7).assignment;
  const perm = Array.from(a.videoId.keys()).reverse();
  const shuffled = { videoId: perm.map((i) => a.videoId[i]), groupId: Int32Array.from(perm, (i) => a.groupId[i]),
    split: Uint8Array.from(perm, (i) => a.split[i]), fold: Int8Array.from(perm, (i) => a.fold[i]) };
  assert.equal(splitFingerprint(shuffled), splitFingerprint(a));
  assert.deepEqual(Array.from(canonicalGroupIds(['b', 'a', 'c'], Int32Array.from([5, 5, 9]))), [0, 0, 1]);
});

test('split.parquet round-trips, with null folds outside train', async () => {
  const a = makeSplit(data.table, cfg, 7).assignment;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-split-'));
  try {
    const p = join(dir, 'split.parquet');
    writeSplitParquet(p, a);
    const back = await readSplitParquet(p);
    assert.deepEqual(back, a);
    assert.ok(Array.from(a.fold).some((f) => f < 0) && Array.from(a.fold).some((f) => f >= 1));
    await assert.rejects(readSplitParquet(join(dir, 'missing.parquet')), /does not exist/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('folds in the assignment are the forward-chaining blocks of the training rows', () => {
  const r = makeSplit(data.table, cfg, 7);
  const { split, fold } = r.assignment;
  for (let i = 0; i < split.length; i++) assert.equal(fold[i] >= 0, split[i] === TRAIN, `row ${i}`);
  assert.equal(r.report.folds.length, cfg.folds);
  for (const f of r.report.folds) {
    const val = Array.from(fold).filter((x) => x === f.fold).length;
    assert.equal(val, f.valRows);
    assert.ok(f.valPositives >= cfg.minFoldPositives);
  }
  assert.ok(!('error' in r.report.groupedKFold), JSON.stringify(r.report.groupedKFold));
});

test('leakage demo designs: same sizes, disjoint, deterministic', () => {
  const a = makeSplit(data.table, cfg, 7).assignment;
  const d = leakageDemoIndices(a, 5);
  assert.equal(d.random.train.length, d.safe.train.length);
  assert.equal(d.random.test.length, d.safe.test.length);
  const te = new Set(d.random.test);
  assert.ok(Array.from(d.random.train).every((i) => !te.has(i)));
  assert.deepEqual(leakageDemoIndices(a, 5), d);
  // The random design spreads test rows over the whole period; the safe one only covers the end.
  const maxTrainSafe = Math.max(...Array.from(d.safe.train, (i) => data.table.uploadTs[i]));
  assert.ok(Array.from(d.safe.test).every((i) => data.table.uploadTs[i] > maxTrainSafe));
  assert.ok(Array.from(d.random.test).some((i) => data.table.uploadTs[i] < maxTrainSafe));
});

test('makeSplit surfaces partly missing timestamps and short history as VigilErrors; no time or few positives adapt', async () => {
  const { buildTable } = await import('../fixtures/table.js');
  const { VigilError } = await import('../../src/util/errors.js');
  const oneWeek = buildTable(Array.from({ length: 50 }, (_, i) => ({ day: (i % 7) + 0.5, harmful: (i % 5 === 0 ? 1 : 0) as 0 | 1 })));
  assert.throws(() => makeSplit(oneWeek, cfg, 1), (e: unknown) => e instanceof VigilError && e.field === 'upload_ts' && /leave no training data/.test(e.message));
  // Some rows without a time: an error naming the first such row.
  const someTs = buildTable(Array.from({ length: 5 }, (_, i) => (i === 3 ? { ts: NaN } : { day: i })));
  assert.throws(() => makeSplit(someTs, cfg, 1), (e: unknown) => e instanceof VigilError && e.field === 'upload_ts' && e.row === 3 && /video 'v3'/.test(e.message));
  // No times at all: a stratified group split, said plainly.
  const noTs = buildTable(Array.from({ length: 5 }, () => ({ ts: NaN })));
  const nt = makeSplit(noTs, cfg, 1);
  assert.equal(nt.report.method, 'stratified-group');
  assert.match(nt.report.notes.join('\n'), /no timestamps: stratified group split, not a recent-time holdout/);
  // Too few positives for the requested folds: fewer folds (or none), with the reason recorded.
  const fewPos = { ...data.table, harmful: Int8Array.from(data.table.harmful, (y, i) => (i % 50 === 0 ? y : 0)) };
  const fp = makeSplit(fewPos, cfg, 1);
  assert.ok(fp.report.foldChoice.chosen < cfg.folds);
  assert.match(fp.report.foldChoice.reason ?? '', /minFoldPositives=10/);
  assert.equal(fp.report.folds.length, fp.report.foldChoice.chosen);
});
