import type { VideoTable } from '../data/table.js';
import { shuffleInPlace, type Rng } from '../util/rng.js';

/**
 * Negative downsampling: every positive, and each negative with probability `keepRate` (a fresh
 * seeded draw per epoch, so over epochs the model sees most negatives). The fitted logit is then
 * shifted by log(keepRate) before calibration (q = p / (p + (1 − p) / w) in probability space).
 */
export function downsampleNegatives(rows: ArrayLike<number>, labels: ArrayLike<number>, keepRate: number, rng: Rng): number[] {
  const out: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (labels[r] === 1 || keepRate >= 1 || rng.next() < keepRate) out.push(r);
  }
  return out;
}

/**
 * Length-bucketed batches: shuffle, sort by frame count within chunks of `bucketBatches` batches
 * (so each batch pads to a similar length), cut into batches, then shuffle the batch order.
 */
export function bucketedBatches(table: VideoTable, rows: number[], batchSize: number, bucketBatches: number, rng: Rng): number[][] {
  const order = rows.slice();
  shuffleInPlace(order, rng);
  const len = (r: number) => table.frameOffsets[r + 1] - table.frameOffsets[r];
  const chunk = batchSize * bucketBatches;
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += chunk) {
    const part = order.slice(s, s + chunk).sort((a, b) => len(a) - len(b) || a - b);
    for (let b = 0; b < part.length; b += batchSize) batches.push(part.slice(b, b + batchSize));
  }
  shuffleInPlace(batches, rng);
  return batches;
}

/** Rows sorted by frame count, cut into batches (for scoring: minimal padding, order restored by the caller). */
export function sortedBatches(table: VideoTable, rows: ArrayLike<number>, batchSize: number): number[][] {
  const len = (r: number) => table.frameOffsets[r + 1] - table.frameOffsets[r];
  const sorted = Array.from(rows).sort((a, b) => len(a) - len(b) || a - b);
  const out: number[][] = [];
  for (let s = 0; s < sorted.length; s += batchSize) out.push(sorted.slice(s, s + batchSize));
  return out;
}
