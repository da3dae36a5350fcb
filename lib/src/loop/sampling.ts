import type { Rng } from '../util/rng.js';

/**
 * Draw `k` virtual uploads from stored rows with probability proportional to their weight (a kept
 * negative stands for 1/keepRate uploads), with replacement: an unbiased sample of the uploads the
 * rows represent, which is what an audit's prevalence estimate needs.
 */
export function drawByWeight(rows: readonly number[], weight: ArrayLike<number>, k: number, rng: Rng): number[] {
  if (rows.length === 0 || k <= 0) return [];
  const cum = new Float64Array(rows.length);
  let s = 0;
  for (let i = 0; i < rows.length; i++) { s += weight[rows[i]]; cum[i] = s; }
  const out: number[] = [];
  for (let d = 0; d < k; d++) {
    const u = rng.next() * s;
    let lo = 0, hi = rows.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > u) hi = mid; else lo = mid + 1; }
    out.push(rows[lo]);
  }
  return out;
}
