import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable } from '../fixtures/table.js';
import { syntheticTable } from '../fixtures/synthetic.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { makeSplit } from '../../src/split/split.js';
import { auditSplit, assertNoOverlap, newCreatorFlags } from '../../src/split/audit.js';
import { leakageDemoIndices } from '../../src/split/leakageDemo.js';
import { TRAIN, CALIB, TEST, PURGED } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';

const data = syntheticTable({ n: 3000, days: 120, creators: 300, reuploadRate: 0.2, prevalence: 0.1, seed: 21 });
const cfg = splitConfigSchema.parse({});

/** Independent check: every group's non-purged rows sit in one split. */
function splitsPerGroup(groupId: Int32Array, split: Uint8Array): number {
  const seen = new Map<number, Set<number>>();
  for (let i = 0; i < split.length; i++) {
    if (split[i] === PURGED) continue;
    const s = seen.get(groupId[i]) ?? new Set<number>();
    s.add(split[i]);
    seen.set(groupId[i], s);
  }
  return Math.max(...[...seen.values()].map((s) => s.size));
}

test('the safe split has zero group overlap, checked independently', () => {
  const r = makeSplit(data.table, cfg, 1);
  assert.equal(r.audit.pass, true);
  assert.equal(splitsPerGroup(r.assignment.groupId, r.assignment.split), 1);
  // Near-duplicate clusters are inside groups, so they cannot straddle either.
  assert.equal(splitsPerGroup(r.clusters, r.assignment.split), 1);
  assert.ok(r.audit.overlaps.every((o) => o.groups === 0));
  // Creators do overlap (the default is a time split, not a creator split)...
  assert.ok(r.audit.overlaps.some((o) => o.creators > 0));
  assert.equal(r.audit.creatorOverlapZero, false);
  // ...and the purge cost is reported and consistent with the assignment.
  const purged = Array.from(r.assignment.split).filter((s) => s === PURGED).length;
  const c = r.report.purge;
  assert.equal(c.gapTrainCalib + c.gapCalibTest + c.outsideTrainWindow + c.groupFromTrain + c.groupFromCalib, purged);
  assert.ok(c.groupFromTrain > 0, 'planted re-uploads across the boundary cost training rows');
});

test('creator grouping removes creator overlap and its data cost is measured', () => {
  const r = makeSplit(data.table, { ...cfg, groupByCreator: true, folds: 2, minFoldPositives: 1 }, 1);
  assert.equal(r.audit.creatorOverlapZero, true);
  assert.equal(r.audit.pass, true);
  const cost = r.report.creatorGroupingCost;
  assert.ok(cost.with !== null);
  assert.ok(cost.with.train < cost.without.train, 'creator grouping costs training rows');
  assert.ok(cost.trainRowsLostShare! > 0 && cost.trainRowsLostShare! < 1);
  assert.ok(cost.top1pctCreatorShare > 0.05, 'Zipf activity: the busiest 1% upload a large share');
});

test('a deliberately leaky split is caught', () => {
  const r = makeSplit(data.table, cfg, 1);
  // Random row split with the same groups: re-upload families land on both sides.
  const demo = leakageDemoIndices(r.assignment, 3);
  const leaky = new Uint8Array(data.table.n).fill(PURGED);
  for (const i of demo.random.train) leaky[i] = TRAIN;
  for (const i of demo.random.test) leaky[i] = TEST;
  const a = auditSplit(data.table, leaky, r.assignment.groupId, r.clusters, { creatorGrouping: false, coldStartDays: 30 });
  assert.equal(a.pass, false);
  assert.ok(a.overlaps.find((o) => o.a === 'train' && o.b === 'test')!.groups > 0);
  assert.throws(() => assertNoOverlap(a), (e: unknown) => e instanceof VigilError && /both train and test/.test(e.message));
  // Even one moved row is caught: put a test row's group-mate from calib/train into test.
  const one = r.assignment.split.slice();
  const g = r.assignment.groupId;
  const i = Array.from(one.keys()).find((k) => one[k] === TEST && Array.from(g.keys()).some((j) => j !== k && g[j] === g[k] && one[j] === PURGED));
  assert.ok(i !== undefined, 'fixture has a purged group-mate of a test row');
  const mate = Array.from(g.keys()).find((j) => j !== i && g[j] === g[i] && one[j] === PURGED)!;
  one[mate] = TRAIN;
  assert.equal(auditSplit(data.table, one, g, r.clusters, { creatorGrouping: false, coldStartDays: 30 }).groupOverlapZero, false);
});

test('per-split statistics match a hand count', () => {
  const t = buildTable([
    { creator: 'a', day: 0, harmful: 1, weight: 1, accountAgeDays: 100, priorStrikes: 0, audio: [[1, 2, 3, 4]], transcript: 'hi' },
    { creator: 'b', day: 1, harmful: 0, weight: 3, accountAgeDays: 5, priorStrikes: 0 },
    { creator: 'a', day: 20, harmful: 0, weight: 4, accountAgeDays: 120, priorStrikes: 1, audio: [[1, 1, 1, 1]] },
    { creator: 'c', day: 22, harmful: 1, weight: 1 },
  ]);
  const split = Uint8Array.from([TRAIN, TRAIN, TEST, TEST]);
  const a = auditSplit(t, split, Int32Array.from([0, 1, 2, 3]), Int32Array.from([0, 1, 2, 3]), { creatorGrouping: false, coldStartDays: 30 });
  const tr = a.splits.train, te = a.splits.test;
  assert.deepEqual([tr.rows, tr.positives, tr.prevalence, tr.creators], [2, 1, 1 / 4, 2]);
  assert.equal(tr.weeks, 2 / 7);
  assert.equal(tr.coldStartShare, 0.5); // b is 5 days old
  assert.deepEqual(tr.missing, { audio: 0.5, transcript: 0.5, metadata: 0 });
  assert.deepEqual([te.rows, te.positives, te.prevalence], [2, 1, 1 / 5]);
  assert.equal(te.newCreatorShare, 0.5); // c never uploaded in train
  assert.equal(te.coldStartShare, 0.5); // c has no age
  assert.deepEqual(te.missing, { audio: 0.5, transcript: 1, metadata: 0.5 });
  assert.deepEqual(a.splits.calib.rows, 0);
  assert.deepEqual(Array.from(newCreatorFlags(t, split)), [0, 0, 0, 1]);
  assert.equal(a.overlaps.find((o) => o.a === 'train' && o.b === 'test')!.creators, 1);
  void CALIB;
});
