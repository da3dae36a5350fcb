import { curveOf, prepareScored, type Curve } from '../stats/curves.js';

/** One point of the trade-off frontier: flag every upload with `score >= threshold`. */
export interface SweepRow {
  threshold: number;
  /** Share of (weighted) uploads flagged. */
  volume: number;
  precision: number;
  recall: number;
  fpr: number;
}

/** Frontier row at distinct-threshold index k of a curve (k = −1: nothing flagged). */
export function sweepRowAt(c: Curve, k: number): SweepRow {
  if (k < 0) return { threshold: Infinity, volume: 0, precision: 1, recall: 0, fpr: 0 };
  const tp = c.tp[k], fp = c.fp[k];
  return {
    threshold: c.thresholds[k],
    volume: (tp + fp) / (c.P + c.N),
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: c.P > 0 ? tp / c.P : 0,
    fpr: c.N > 0 ? fp / c.N : 0,
  };
}

/**
 * The weighted trade-off frontier over the whole score range. With more distinct scores than
 * `maxPoints`, thresholds are picked at log-spaced flagged volumes (from one upload to all of them)
 * so the low-volume end that matters for moderation is as detailed as the bulk.
 */
export function thresholdSweep(
  scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, opts: { maxPoints?: number } = {},
): SweepRow[] {
  const c = curveOf(prepareScored(scores, labels, weights));
  const K = c.tp.length;
  const maxPoints = Math.max(2, opts.maxPoints ?? 200);
  if (K <= maxPoints) return Array.from({ length: K }, (_, k) => sweepRowAt(c, k));
  const W = c.P + c.N;
  let minW = Infinity;
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0 && weights[i] < minW) minW = weights[i];
  const lo = Math.log(Math.max(minW / W, 1e-9));
  const picks = new Set<number>();
  let k = 0;
  for (let j = 0; j < maxPoints; j++) {
    const target = Math.exp(lo + ((0 - lo) * j) / (maxPoints - 1)) * W;
    // Last threshold whose flagged volume does not exceed the target (at least the first one).
    while (k + 1 < K && c.tp[k + 1] + c.fp[k + 1] <= target * (1 + 1e-12)) k++;
    picks.add(k);
  }
  picks.add(K - 1);
  return [...picks].sort((a, b) => a - b).map((i) => sweepRowAt(c, i));
}
