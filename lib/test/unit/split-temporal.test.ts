import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, type FixtureRow } from '../fixtures/table.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { temporalSplit, PURGE_GAP, PURGE_GROUP, PURGE_OUTSIDE_WINDOW } from '../../src/split/temporal.js';
import { TRAIN, CALIB, TEST, PURGED } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';

const cfg = splitConfigSchema.parse({ testWeeks: 1, calibWeeks: 1, purgeDays: 2 });

// Last upload on day 34.5 → windows end at day 35: test [28,35), gap [26,28), calib [19,26),
// gap [17,19), train before 17.
const days = [1, 5, 17.5, 18.9, 19, 20, 26.5, 28, 34.5, 10, 21, 3, 12];
//   groups: G1 = {9 (train), 7 (test)}, G2 = {11 (train), 10 (calib), 8 (test)}, G3 = {1 (train), 2 (gap)}
const groups = Int32Array.from([0, 3, 3, 4, 5, 6, 7, 1, 2, 1, 2, 2, 8]);
const rows: FixtureRow[] = days.map((d, i) => ({ day: d, harmful: i === 9 ? 1 : 0 }));
const table = buildTable(rows);

test('windows, gap purge and group purge match the hand count', () => {
  const r = temporalSplit(table, groups, cfg);
  const T = TRAIN, C = CALIB, X = TEST, P = PURGED;
  assert.deepEqual(Array.from(r.split), [T, T, P, P, C, C, P, X, X, P, P, P, T]);
  assert.deepEqual(r.counts, { gapTrainCalib: 2, gapCalibTest: 1, outsideTrainWindow: 0, groupFromTrain: 2, groupFromCalib: 1, positivesPurged: 1 });
  assert.equal(r.purgeReason[2], PURGE_GAP);
  assert.equal(r.purgeReason[9], PURGE_GROUP);
  assert.equal(new Date(r.windows.testStart).toISOString().slice(0, 10), '2026-02-02'); // day 28
  assert.equal(r.windows.trainEnd - r.windows.calibStart, -2 * 86_400_000);
});

test('a moving training window purges older rows first', () => {
  const r = temporalSplit(table, groups, { ...cfg, trainWindowWeeks: 1 }); // train = [10, 17)
  assert.deepEqual([0, 1, 11, 9, 12].map((i) => r.split[i]), [PURGED, PURGED, PURGED, PURGED, TRAIN]);
  assert.equal(r.counts.outsideTrainWindow, 3);
  assert.equal(r.counts.groupFromTrain, 1);
  assert.equal(r.purgeReason[11], PURGE_OUTSIDE_WINDOW);
});

test('missing timestamps, one week of data and an empty window are clear errors', () => {
  const noTs = buildTable([{ ts: NaN }, { ts: NaN }]);
  assert.throws(() => temporalSplit(noTs, new Int32Array(2), cfg), (e: unknown) => e instanceof VigilError && e.field === 'upload_ts' && /no row has a timestamp/.test(e.message));
  const someNaN = buildTable([{ day: 1 }, { ts: NaN }, { day: 40 }]);
  assert.throws(() => temporalSplit(someNaN, Int32Array.from([0, 1, 2]), cfg), (e: unknown) => e instanceof VigilError && e.row === 1 && /upload_ts/.test(e.message));
  const oneWeek = buildTable([0, 1, 2, 3, 4, 5, 6].map((d) => ({ day: d })));
  const defaults = splitConfigSchema.parse({});
  assert.throws(() => temporalSplit(oneWeek, Int32Array.from([0, 1, 2, 3, 4, 5, 6]), defaults),
    (e: unknown) => e instanceof VigilError && /spans 6\.0 days/.test(e.message) && /no training data/.test(e.message));
  // Data before day 10 and after day 29 only: the calibration window [19, 26) is empty.
  const holed = buildTable([0, 2, 4, 6, 8, 29, 30, 34].map((d) => ({ day: d })));
  assert.throws(() => temporalSplit(holed, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), cfg), /calib window .* has no rows/);
});
