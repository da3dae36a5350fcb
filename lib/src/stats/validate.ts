import { VigilError } from '../util/errors.js';

/** Resampling/fold unit per row: numeric group ids (leakage groups) or string ids (creator ids). */
export type GroupIds = ArrayLike<number> | ArrayLike<string>;

/**
 * Checks the arrays every metric takes: same length, finite scores, 0/1 labels, finite non-negative
 * weights. Errors name the array and the first bad row so a caller can find it.
 */
export function validateScored(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
  groups?: GroupIds | null,
): void {
  const n = scores.length;
  if (labels.length !== n) throw new VigilError(`'labels': length ${labels.length} differs from 'scores' length ${n}`, { field: 'labels' });
  if (weights.length !== n) throw new VigilError(`'weights': length ${weights.length} differs from 'scores' length ${n}`, { field: 'weights' });
  if (groups && groups.length !== n) throw new VigilError(`'groups': length ${groups.length} differs from 'scores' length ${n}`, { field: 'groups' });
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new VigilError(`'scores' at row ${i}: expected a finite number, got ${scores[i]}`, { field: 'scores', row: i });
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new VigilError(`'labels' at row ${i}: expected 0 or 1, got ${y}`, { field: 'labels', row: i });
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) throw new VigilError(`'weights' at row ${i}: expected a finite number >= 0, got ${w}`, { field: 'weights', row: i });
  }
}
