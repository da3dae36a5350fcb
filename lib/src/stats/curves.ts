import { validateScored, type GroupIds } from './validate.js';

/**
 * Scores sorted once, descending, with their tie runs and (dense) group index per sorted position.
 *
 * Everything downstream — ROC/PR curves, threshold metrics, calibration metrics, and every
 * bootstrap resample — reads these arrays in sorted order, so resampling never re-sorts: a
 * resample is just a multiplier per group (how often the group was drawn).
 */
export interface Prepared {
  n: number;
  /** Row index at each sorted position (score descending, stable). */
  order: Int32Array;
  /** Score at each sorted position. */
  score: Float64Array;
  /** weight·label and weight·(1−label) at each sorted position. */
  posW: Float64Array;
  negW: Float64Array;
  /** Exclusive end (sorted position) of each run of equal scores; runs follow score order. */
  runEnd: Int32Array;
  /** Dense group index (0..nGroups−1) at each sorted position; each row is its own group when none were given. */
  group: Int32Array;
  nGroups: number;
}

/**
 * Sort and index the inputs. `groups` are arbitrary integer ids (creator or leakage group);
 * without them every row is its own group.
 */
export function prepareScored(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
  groups?: GroupIds | null,
): Prepared {
  validateScored(scores, labels, weights, groups);
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  // Array.prototype.sort is stable, so ties keep row order (only sums over whole runs are used).
  idx.sort((a, b) => scores[b] - scores[a]);
  const order = Int32Array.from(idx);
  const score = new Float64Array(n), posW = new Float64Array(n), negW = new Float64Array(n);
  const group = new Int32Array(n);
  // Dense group ids in row order (first appearance), not score order: the bootstrap's k-th resample
  // then draws the same creators for any model scored on the same rows, so runs can be paired.
  const dense = new Map<number | string, number>();
  const rowGroup = new Int32Array(n);
  if (groups) {
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      let d = dense.get(g);
      if (d === undefined) { d = dense.size; dense.set(g, d); }
      rowGroup[i] = d;
    }
  }
  const runs: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    score[k] = scores[i];
    const w = weights[i];
    if (labels[i] === 1) posW[k] = w; else negW[k] = w;
    if (k > 0 && score[k] !== score[k - 1]) runs.push(k);
    group[k] = groups ? rowGroup[i] : i;
  }
  if (n > 0) runs.push(n);
  return { n, order, score, posW, negW, runEnd: Int32Array.from(runs), group, nGroups: groups ? dense.size : n };
}

/**
 * Cumulative weighted counts at each distinct threshold: predicting positive for `score >= thresholds[k]`
 * catches `tp[k]` positive and `fp[k]` negative weight. `P`, `N` are the totals.
 */
export interface Curve {
  thresholds: Float64Array;
  tp: Float64Array;
  fp: Float64Array;
  P: number;
  N: number;
}

/** Empty curve buffers sized for `p`, for `curveOf(p, mult, out)` to fill again and again. */
export function allocCurve(p: Prepared): Curve {
  const K = p.runEnd.length;
  return { thresholds: new Float64Array(K), tp: new Float64Array(K), fp: new Float64Array(K), P: 0, N: 0 };
}

/**
 * The cumulative curve, with each row's weight multiplied by `groupMult[group]` when given
 * (a bootstrap resample). O(n); ties fall in one run so they move together, which is what makes
 * ROC-AUC count a tied positive/negative pair as one half. Pass `out` (from `allocCurve`) to reuse
 * buffers across resamples: allocating three fresh arrays per resample costs more than the pass.
 */
export function curveOf(p: Prepared, groupMult?: Float64Array | null, out?: Curve): Curve {
  const c = out ?? allocCurve(p);
  const K = p.runEnd.length;
  const { thresholds, tp, fp } = c;
  const { runEnd, score, posW, negW, group } = p;
  let ctp = 0, cfp = 0, k = 0;
  for (let r = 0; r < K; r++) {
    const end = runEnd[r];
    thresholds[r] = score[k];
    if (groupMult) {
      for (; k < end; k++) { const m = groupMult[group[k]]; ctp += posW[k] * m; cfp += negW[k] * m; }
    } else {
      for (; k < end; k++) { ctp += posW[k]; cfp += negW[k]; }
    }
    tp[r] = ctp; fp[r] = cfp;
  }
  c.P = ctp; c.N = cfp;
  return c;
}

/** ROC points (FPR, TPR) starting at (0, 0), one per distinct threshold. NaN rates when a class is absent. */
export function rocCurve(c: Curve): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array } {
  const K = c.tp.length;
  const fpr = new Float64Array(K + 1), tpr = new Float64Array(K + 1), thresholds = new Float64Array(K + 1);
  thresholds[0] = Infinity;
  for (let k = 0; k < K; k++) {
    fpr[k + 1] = c.fp[k] / c.N; tpr[k + 1] = c.tp[k] / c.P; thresholds[k + 1] = c.thresholds[k];
  }
  return { fpr, tpr, thresholds };
}

/** Precision/recall per distinct threshold (highest threshold first). Precision of an empty set is 1. */
export function prCurve(c: Curve): { precision: Float64Array; recall: Float64Array; thresholds: Float64Array } {
  const K = c.tp.length;
  const precision = new Float64Array(K), recall = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const v = c.tp[k] + c.fp[k];
    precision[k] = v > 0 ? c.tp[k] / v : 1;
    recall[k] = c.tp[k] / c.P;
  }
  return { precision, recall, thresholds: c.thresholds.slice() };
}
