/**
 * Point estimates for early stopping and quick model comparisons inside model/: thin wrappers over
 * the weighted metrics in ./metrics.ts (the full evaluation with confidence intervals is eval/).
 */
import { prepareScored, curveOf, type Curve } from './curves.js';
import * as metrics from './metrics.js';

function curve(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): Curve {
  return curveOf(prepareScored(scores, labels, weights ?? new Float64Array(scores.length).fill(1)));
}

export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  return metrics.averagePrecision(curve(scores, labels, weights));
}

/** Highest recall among thresholds whose false-positive rate is <= maxFpr. */
export function recallAtFpr(scores: ArrayLike<number>, labels: ArrayLike<number>, maxFpr: number, weights?: ArrayLike<number>): number {
  return metrics.recallAtFpr(curve(scores, labels, weights), maxFpr).value;
}

/** Precision among the top `frac` of (weighted) uploads by score. */
export function precisionAtTop(scores: ArrayLike<number>, labels: ArrayLike<number>, frac: number, weights?: ArrayLike<number>): number {
  return metrics.precisionAtTop(curve(scores, labels, weights), frac).value;
}
