import { allocCurve, curveOf, type Prepared } from '../stats/curves.js';
import { precisionAtTop } from '../stats/metrics.js';
import { groupBootstrap, type MetricValues } from '../stats/bootstrap.js';
import { CurveView } from './solve.js';

/** A number with its 95% group-bootstrap interval (null interval when no groups were given). */
export interface AchievedValue { value: number | null; ci: [number, number] | null }

export const ACHIEVED_KEYS = [
  'recall', 'fpr', 'flagged_share', 'queue_share', 'block_share',
  'block_precision', 'queue_precision', 'flagged_precision', 'top_precision',
] as const;
export type AchievedKey = (typeof ACHIEVED_KEYS)[number];
export type Achieved = Record<AchievedKey, AchievedValue>;

/** What a fixed (flagged q, block b) choice achieves on a curve, as plain numbers. */
export function achievedValues(v: CurveView, q: number, b: number, topShare: number): MetricValues {
  return {
    recall: v.recall(q),
    fpr: v.fpr(q),
    flagged_share: v.vol(q),
    queue_share: v.vol(q) - v.vol(b),
    block_share: v.vol(b),
    block_precision: v.precision(b),
    queue_precision: v.bandPrecision(b, q),
    flagged_precision: v.precision(q),
    top_precision: precisionAtTop(v.c, topShare).value,
  };
}

/**
 * Achieved numbers at fixed run indices, with group-bootstrap intervals when `withCi`. The
 * thresholds stay fixed across resamples (this measures a deployed policy), while top-share
 * precision is re-cut in each resample because it is a property of the ranking, not of the policy.
 */
export function achievedWithCi(
  prep: Prepared, q: number, b: number, topShare: number, resamples: number, seed: number, withCi: boolean,
): { achieved: Achieved; groups: number } {
  const scratch = allocCurve(prep);
  const boot = groupBootstrap(
    prep,
    (m) => achievedValues(new CurveView(curveOf(prep, m, scratch)), q, b, topShare),
    { resamples: withCi ? resamples : 0, seed },
  );
  const out = {} as Achieved;
  for (const k of ACHIEVED_KEYS) {
    const val = boot.point[k];
    out[k] = { value: Number.isFinite(val) ? val : null, ci: withCi && Number.isFinite(val) ? boot.ci[k] : null };
  }
  return { achieved: out, groups: prep.nGroups };
}

/** Index of the last run whose threshold is ≥ t (runs are in descending score order); −1 if none. */
export function runIndexFor(thresholds: Float64Array, t: number): number {
  let lo = 0, hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] >= t) lo = mid + 1; else hi = mid;
  }
  return lo - 1;
}
