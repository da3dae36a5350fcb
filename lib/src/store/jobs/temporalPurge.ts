/**
 * The temporal windows and purge as one SQL job over the store: each row's window by upload time,
 * gap and outside-window rows purged, then every row whose leakage group reaches a later window
 * purged from the earlier one — the same rules as split/temporal.ts, which the tests hold it to.
 *
 * Leakage groups come in as table `row_groups(row_idx, grp)` (connected components of the
 * near-duplicate links; on a cluster that is a connected-components job, see docs/scale.md).
 */
import type { SqlEngine } from '../sqlEngine.js';
import type { PurgeCounts, TemporalWindows, WindowConfig } from '../../split/temporal.js';
import { windowsFromRange, PURGE_GAP, PURGE_GROUP, PURGE_OUTSIDE_WINDOW, PURGE_NONE } from '../../split/temporal.js';
import { TRAIN, CALIB, TEST, PURGED } from '../../split/types.js';
import { VigilError } from '../../util/errors.js';

export interface SqlTemporalResult {
  split: Uint8Array;
  purgeReason: Uint8Array;
  windows: TemporalWindows;
  counts: PurgeCounts;
}

/** Window boundaries from the store's first and last upload (a two-number aggregate). */
export async function storeWindows(engine: SqlEngine, cfg: WindowConfig, view = 'videos'): Promise<TemporalWindows> {
  const [r] = await engine.query(`SELECT MIN(upload_ms) AS lo, MAX(upload_ms) AS hi, COUNT(*) AS n, COUNT(upload_ms) AS timed FROM ${view}`);
  if (Number(r.timed) === 0) throw new VigilError(`'upload_ts': no row has a timestamp (${Number(r.n)} rows); a temporal split needs upload times`, { field: 'upload_ts' });
  return windowsFromRange(Number(r.lo), Number(r.hi), cfg);
}

/** A finite bound as a SQL literal; an open bound as a comparison that always holds. */
const atLeast = (col: string, ms: number) => (Number.isFinite(ms) ? `${col} >= ${ms}` : 'TRUE');

/**
 * The time bands from the latest down, each with its window, purge reason and gap code (1: the
 * train→calibration gap, 2: the calibration→test gap); a row takes the first band it reaches, and
 * a row before the training window is purged as outside it.
 */
function bands(w: TemporalWindows) {
  return [
    { from: w.testStart, win: TEST, reason: PURGE_NONE, gap: 0 },
    { from: w.calibEnd, win: PURGED, reason: PURGE_GAP, gap: 2 },
    { from: w.calibStart, win: CALIB, reason: PURGE_NONE, gap: 0 },
    { from: w.trainEnd, win: PURGED, reason: PURGE_GAP, gap: 1 },
    { from: w.trainStart, win: TRAIN, reason: PURGE_NONE, gap: 0 },
  ];
}

export async function temporalPurgeSql(engine: SqlEngine, cfg: WindowConfig, view = 'videos'): Promise<SqlTemporalResult> {
  const w = await storeWindows(engine, cfg, view);
  const b = bands(w);
  // One CASE per output column over the same bands; `outside` is the value for a row before them all.
  const byBand = (pick: (x: (typeof b)[number]) => number, outside: number) =>
    `CASE ${b.map((x) => `WHEN ${atLeast('v.upload_ms', x.from)} THEN ${pick(x)}`).join(' ')} ELSE ${outside} END`;
  await engine.run(`CREATE OR REPLACE TEMP TABLE purge_result AS
    WITH assigned AS (
      SELECT v.row_idx, v.harmful, g.grp,
        ${byBand((x) => x.win, PURGED)} AS win,
        ${byBand((x) => x.reason, PURGE_OUTSIDE_WINDOW)} AS reason,
        ${byBand((x) => x.gap, 0)} AS gap
      FROM ${view} v JOIN row_groups g ON g.row_idx = v.row_idx
    ), reach AS (
      SELECT a.*, MAX(CASE WHEN a.win <> ${PURGED} THEN a.win END) OVER (PARTITION BY a.grp) AS latest
      FROM assigned a
    )
    SELECT row_idx, harmful, win, gap,
      CASE WHEN win <> ${PURGED} AND win < latest THEN ${PURGED} ELSE win END AS split,
      CASE WHEN win <> ${PURGED} AND win < latest THEN ${PURGE_GROUP} ELSE reason END AS reason
    FROM reach`);
  const [c] = await engine.query(`SELECT
      COUNT(*) AS n,
      SUM(CASE WHEN gap = 1 THEN 1 ELSE 0 END) AS gap_train_calib,
      SUM(CASE WHEN gap = 2 THEN 1 ELSE 0 END) AS gap_calib_test,
      SUM(CASE WHEN reason = ${PURGE_OUTSIDE_WINDOW} THEN 1 ELSE 0 END) AS outside,
      SUM(CASE WHEN reason = ${PURGE_GROUP} AND win = ${TRAIN} THEN 1 ELSE 0 END) AS group_train,
      SUM(CASE WHEN reason = ${PURGE_GROUP} AND win = ${CALIB} THEN 1 ELSE 0 END) AS group_calib,
      SUM(CASE WHEN split = ${PURGED} AND harmful = 1 THEN 1 ELSE 0 END) AS pos_purged
    FROM purge_result`);
  const n = Number(c.n);
  const split = new Uint8Array(n), purgeReason = new Uint8Array(n);
  // Only the two small per-row columns come back; the row order is the store's.
  for (const r of await engine.query('SELECT row_idx, split, reason FROM purge_result ORDER BY row_idx')) {
    const i = Number(r.row_idx);
    if (!(i >= 0 && i < n)) throw new VigilError(`temporal purge: row_groups does not cover the store (row ${i} of ${n})`, { field: 'row_groups' });
    split[i] = Number(r.split);
    purgeReason[i] = Number(r.reason);
  }
  return {
    split, purgeReason, windows: w,
    counts: {
      gapTrainCalib: Number(c.gap_train_calib ?? 0), gapCalibTest: Number(c.gap_calib_test ?? 0),
      outsideTrainWindow: Number(c.outside ?? 0), groupFromTrain: Number(c.group_train ?? 0),
      groupFromCalib: Number(c.group_calib ?? 0), positivesPurged: Number(c.pos_purged ?? 0),
    },
  };
}
