/**
 * The temporal holdout: test = the most recent `testWeeks`, calibration = the `calibWeeks` before it,
 * training = everything earlier (or the last `trainWindowWeeks`), with a `purgeDays` gap between
 * windows. Rows in a gap are purged. A leakage group that reaches into a later window is removed from
 * the earlier one, so no near-duplicate family (or creator, when grouping by creator) straddles two
 * windows — the later window keeps it because recency is what the test must measure.
 */
import type { VideoTable } from '../data/table.js';
import { MS_PER_DAY, MS_PER_WEEK } from '../data/table.js';
import type { SplitConfig } from './config.js';
import { TRAIN, CALIB, TEST, PURGED } from './types.js';
import { VigilError, fail } from '../util/errors.js';

/** Why a row was purged (0 = not purged). */
export const PURGE_NONE = 0, PURGE_GAP = 1, PURGE_GROUP = 2, PURGE_OUTSIDE_WINDOW = 3;

/** Window boundaries, epoch ms; each window is [start, end). */
export interface TemporalWindows {
  dataStart: number;
  trainStart: number;
  trainEnd: number;
  calibStart: number;
  calibEnd: number;
  testStart: number;
  testEnd: number;
}

export interface PurgeCounts {
  /** Rows in the gap between train and calibration. */
  gapTrainCalib: number;
  /** Rows in the gap between calibration and test. */
  gapCalibTest: number;
  /** Rows before a moving training window. */
  outsideTrainWindow: number;
  /** Training rows dropped because their group reaches into calibration or test. */
  groupFromTrain: number;
  /** Calibration rows dropped because their group reaches into test. */
  groupFromCalib: number;
  /** Positives among all purged rows. */
  positivesPurged: number;
}

export interface TemporalResult {
  split: Uint8Array;
  purgeReason: Uint8Array;
  windows: TemporalWindows;
  counts: PurgeCounts;
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Check that upload_ts is present and finite everywhere; returns [min, max]. */
export function timeRange(table: VideoTable): [number, number] {
  if (table.n === 0) throw new VigilError("'upload_ts': the dataset has no rows, so there are no timestamps to split on", { field: 'upload_ts' });
  let lo = Infinity, hi = -Infinity, missing = 0, first = -1;
  for (let i = 0; i < table.n; i++) {
    const t = table.uploadTs[i];
    if (!Number.isFinite(t)) { missing++; if (first < 0) first = i; continue; }
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (missing === table.n) throw new VigilError(`'upload_ts': no row has a timestamp (all ${table.n} missing); a temporal split needs upload times`, { field: 'upload_ts' });
  if (missing > 0) fail('upload_ts', `a finite timestamp (${missing} rows lack one; first is video '${table.videoId[first]}')`, first);
  return [lo, hi];
}

export type WindowConfig = Pick<SplitConfig, 'testWeeks' | 'calibWeeks' | 'purgeDays' | 'trainWindowWeeks'>;

export function temporalWindows(table: VideoTable, cfg: WindowConfig): TemporalWindows {
  const [lo, hi] = timeRange(table);
  return windowsFromRange(lo, hi, cfg);
}

/** The windows for data uploaded from `lo` to `hi` (epoch ms) — all a window needs to know of the data. */
export function windowsFromRange(lo: number, hi: number, cfg: WindowConfig): TemporalWindows {
  // Windows end at the UTC midnight after the last upload so that they cover whole days.
  const testEnd = Math.floor(hi / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY;
  const purge = cfg.purgeDays * MS_PER_DAY;
  const testStart = testEnd - cfg.testWeeks * MS_PER_WEEK;
  const calibEnd = testStart - purge;
  const calibStart = calibEnd - cfg.calibWeeks * MS_PER_WEEK;
  const trainEnd = calibStart - purge;
  const trainStart = cfg.trainWindowWeeks === null ? -Infinity : trainEnd - cfg.trainWindowWeeks * MS_PER_WEEK;
  const spanDays = (hi - lo) / MS_PER_DAY;
  const needDays = (testEnd - trainEnd) / MS_PER_DAY;
  if (lo >= trainEnd) {
    throw new VigilError(
      `'upload_ts': the data spans ${spanDays.toFixed(1)} days (${iso(lo)} to ${iso(hi)}), but test (${cfg.testWeeks} weeks) + ` +
      `calibration (${cfg.calibWeeks} weeks) + two purge gaps (${cfg.purgeDays} days each) take the last ${needDays} days ` +
      `and leave no training data; supply a longer history or shorten split.testWeeks / split.calibWeeks`,
      { field: 'upload_ts' });
  }
  return { dataStart: lo, trainStart, trainEnd, calibStart, calibEnd, testStart, testEnd };
}

/** Assign rows to windows, then purge gap rows and groups that reach into a later window. */
export function temporalSplit(table: VideoTable, groups: Int32Array, cfg: SplitConfig): TemporalResult {
  const w = temporalWindows(table, cfg);
  const n = table.n;
  const split = new Uint8Array(n);
  const reason = new Uint8Array(n);
  const counts: PurgeCounts = { gapTrainCalib: 0, gapCalibTest: 0, outsideTrainWindow: 0, groupFromTrain: 0, groupFromCalib: 0, positivesPurged: 0 };
  for (let i = 0; i < n; i++) {
    const t = table.uploadTs[i];
    if (t >= w.testStart) split[i] = TEST;
    else if (t >= w.calibEnd) { split[i] = PURGED; reason[i] = PURGE_GAP; counts.gapCalibTest++; }
    else if (t >= w.calibStart) split[i] = CALIB;
    else if (t >= w.trainEnd) { split[i] = PURGED; reason[i] = PURGE_GAP; counts.gapTrainCalib++; }
    else if (t >= w.trainStart) split[i] = TRAIN;
    else { split[i] = PURGED; reason[i] = PURGE_OUTSIDE_WINDOW; counts.outsideTrainWindow++; }
  }
  // The latest window each group reaches (purged rows are never used, so they cannot leak).
  let maxG = -1;
  for (let i = 0; i < n; i++) if (groups[i] > maxG) maxG = groups[i];
  const latest = new Int8Array(maxG + 1).fill(-1);
  for (let i = 0; i < n; i++) if (split[i] !== PURGED && split[i] > latest[groups[i]]) latest[groups[i]] = split[i];
  for (let i = 0; i < n; i++) {
    if (split[i] === PURGED || split[i] >= latest[groups[i]]) continue;
    if (split[i] === TRAIN) counts.groupFromTrain++; else counts.groupFromCalib++;
    split[i] = PURGED;
    reason[i] = PURGE_GROUP;
  }
  for (let i = 0; i < n; i++) if (split[i] === PURGED && table.harmful[i] === 1) counts.positivesPurged++;
  const have = [0, 0, 0];
  for (let i = 0; i < n; i++) if (split[i] !== PURGED) have[split[i]]++;
  const names = ['train', 'calib', 'test'];
  for (const s of [TRAIN, CALIB, TEST]) {
    if (have[s] === 0) {
      throw new VigilError(
        `'upload_ts': the ${names[s]} window (${iso(s === TRAIN ? Math.max(w.dataStart, w.trainStart) : s === CALIB ? w.calibStart : w.testStart)} to ` +
        `${iso((s === TRAIN ? w.trainEnd : s === CALIB ? w.calibEnd : w.testEnd) - 1)}) has no rows after purging; ` +
        `the data spans ${iso(w.dataStart)} to ${iso(w.testEnd - 1)}`,
        { field: 'upload_ts' });
    }
  }
  return { split, purgeReason: reason, windows: w, counts };
}
