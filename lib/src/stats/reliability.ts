import { prepareScored } from './curves.js';
import { equalMassBins } from './metrics.js';

export interface ReliabilityBin {
  /** Score range of the bin. */
  lo: number; hi: number;
  /** Weighted mean predicted probability (the x axis, plotted on a log scale). */
  mean_pred: number;
  /** Weighted observed positive rate and its 95% Wilson interval at the Kish effective size. */
  observed: number;
  ci: [number, number];
  rows: number;
  weight: number;
  effective_n: number;
}

/** 95% Wilson score interval for a proportion p from n (possibly fractional, effective) trials. */
export function wilsonInterval(p: number, n: number, z = 1.959964): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Reliability diagram data: equal-mass bins (the same binning as ECE), mean predicted vs observed
 * rate. Weighted rows count with the Kish effective sample size (Σw)²/Σw² in the interval, so
 * up-weighted downsampled negatives do not shrink it artificially. `log10_floor` is the smallest
 * positive x worth drawing on a log axis (a bin whose mean prediction is 0 is drawn there).
 */
export function reliabilityDiagram(
  probs: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, bins = 15,
): { bins: ReliabilityBin[]; log10_floor: number } {
  const p = prepareScored(probs, labels, weights);
  const out = equalMassBins(p, bins).map((b): ReliabilityBin => {
    const neff = b.weight2 > 0 ? (b.weight * b.weight) / b.weight2 : 0;
    return {
      lo: b.lo, hi: b.hi, mean_pred: b.meanPred, observed: b.observed,
      ci: wilsonInterval(b.observed, neff), rows: b.rows, weight: b.weight, effective_n: neff,
    };
  });
  const positive = out.map((b) => b.mean_pred).filter((v) => v > 0);
  return { bins: out, log10_floor: Math.floor(Math.log10(positive.length ? Math.min(...positive) : 1e-6)) };
}
