import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, day, type FixtureRow } from '../fixtures/table.js';
import { forwardChainingFolds, groupedKFold } from '../../src/split/folds.js';
import { TRAIN, TEST } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';

// Days 0..49, two uploads a day (one harmful): 5 blocks of 10 days, 10 positives per block.
const rows: FixtureRow[] = [];
for (let d = 0; d < 50; d++) { rows.push({ day: d + 0.25, harmful: 1 }); rows.push({ day: d + 0.75, harmful: 0 }); }
const table = buildTable(rows);
const split = new Uint8Array(table.n).fill(TRAIN);
const groups = Int32Array.from({ length: table.n }, (_, i) => i);
groups[31] = groups[10]; // day 15 (block 1) shares a group with day 5 (block 0)
const cfg = { folds: 4, minFoldPositives: 5, purgeDays: 2 };

test('forward-chaining folds: validation after training, purge gap, group purge', () => {
  const ff = forwardChainingFolds(table, split, groups, cfg);
  assert.deepEqual(ff.boundaries.map((b) => (b - day(0)) / 86_400_000), [0, 10, 20, 30, 40, 50]);
  assert.equal(ff.folds.length, 4);
  for (const f of ff.folds) {
    const maxTrain = Math.max(...Array.from(f.trainRows, (i) => table.uploadTs[i]));
    assert.ok(maxTrain < f.valStart - 2 * 86_400_000, `fold ${f.fold} trains inside the purge gap`);
    assert.ok(Array.from(f.valRows).every((i) => table.uploadTs[i] >= f.valStart && table.uploadTs[i] < f.valEnd));
    assert.equal(f.valRows.length, 20);
    assert.equal(f.valPositives, 10);
    // Expanding window: block 0..f-1 minus the two purged days (4 rows).
    assert.equal(f.purgedGap, 4);
  }
  assert.equal(ff.folds[0].purgedGroup, 1);
  assert.equal(ff.folds[0].trainRows.length, 20 - 4 - 1);
  assert.ok(!Array.from(ff.folds[0].trainRows).includes(10));
  assert.ok(Array.from(ff.folds[1].trainRows).includes(10), 'the group is back in training once it is in the past');
  assert.equal(ff.folds[3].trainRows.length, 80 - 4);
  assert.equal(ff.block[0], 0);
  assert.equal(ff.block[table.n - 1], 4);
});

test('rows outside train get no block', () => {
  const s = split.slice();
  s[99] = TEST;
  assert.equal(forwardChainingFolds(table, s, groups, cfg).block[99], -1);
});

test('too few positives or too short a period is an error that says what is missing', () => {
  assert.throws(() => forwardChainingFolds(table, split, groups, { ...cfg, minFoldPositives: 15 }),
    (e: unknown) => e instanceof VigilError && e.field === 'harmful' && /fold 1 .* has 10 positives in validation/.test(e.message) && /fewer folds/.test(e.message));
  assert.throws(() => forwardChainingFolds(table, split, groups, { ...cfg, folds: 60 }), /needs at least 61 days/);
  const negOnly = buildTable(rows.map((r) => ({ ...r, harmful: 0 as const })));
  assert.throws(() => forwardChainingFolds(negOnly, split, groups, cfg), /has 0 positives/);
  assert.throws(() => forwardChainingFolds(table, new Uint8Array(table.n).fill(TEST), groups, cfg), /no training rows/);
});

test('grouped k-fold keeps groups whole and balances positives', () => {
  // 12 groups of 5 rows; groups 0..5 have 2 positives each.
  const g = Int32Array.from({ length: 60 }, (_, i) => Math.floor(i / 5));
  const t = buildTable(Array.from({ length: 60 }, (_, i) => ({ day: i, harmful: (i % 5 < 2 && i < 30 ? 1 : 0) as 0 | 1 })));
  const all = Array.from({ length: 60 }, (_, i) => i);
  const r = groupedKFold(t, all, g, 3, 2, 42);
  for (let k = 0; k < 12; k++) assert.equal(new Set(Array.from(r.fold.subarray(k * 5, k * 5 + 5))).size, 1);
  assert.deepEqual(r.positives, [4, 4, 4]);
  assert.deepEqual(r.rows, [20, 20, 20]);
  assert.deepEqual(groupedKFold(t, all, g, 3, 2, 42).fold, r.fold, 'deterministic');
  assert.throws(() => groupedKFold(t, all, g, 5, 3, 42), /fold \d has 2/);
});
