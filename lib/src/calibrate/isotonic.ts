/**
 * Weighted isotonic regression by pool-adjacent-violators on (x, y, w), returned as the step
 * function of the calibrator format: `values[#{k : thresholds[k] <= x}]`.
 *
 * Each step boundary sits halfway between the last x of one pooled block and the first x of the
 * next. Values are clipped to [clip, 1 − clip] so a held-out positive in an all-negative block
 * costs a large but finite log-loss.
 */
export function fitIsotonic(
  x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, clip = 1e-6,
): { thresholds: number[]; values: number[] } {
  const idx = Array.from({ length: x.length }, (_, i) => i).filter((i) => w[i] > 0);
  idx.sort((a, b) => x[a] - x[b]);
  // Blocks as parallel stacks: weighted sum of y, weight, first and last x.
  const sy: number[] = [], sw: number[] = [], xlo: number[] = [], xhi: number[] = [];
  for (let k = 0; k < idx.length;) {
    // Equal x values must share one value, so a whole tie group enters as one point: pooling on a
    // partial tie group could merge blocks that the complete group would keep apart.
    const xv = x[idx[k]];
    let ty = 0, tw = 0;
    for (; k < idx.length && x[idx[k]] === xv; k++) { const i = idx[k]; ty += w[i] * y[i]; tw += w[i]; }
    sy.push(ty); sw.push(tw); xlo.push(xv); xhi.push(xv);
    // Pool while the last block's mean is not above the previous one's (strictly increasing steps).
    while (sw.length > 1) {
      const m = sw.length - 1;
      if (sy[m - 1] / sw[m - 1] < sy[m] / sw[m]) break;
      sy[m - 1] += sy[m]; sw[m - 1] += sw[m]; xhi[m - 1] = xhi[m];
      sy.pop(); sw.pop(); xlo.pop(); xhi.pop();
    }
  }
  if (sw.length === 0) return { thresholds: [], values: [0.5] };
  const values = sy.map((s, k) => Math.min(1 - clip, Math.max(clip, s / sw[k])));
  const thresholds: number[] = [];
  for (let k = 1; k < sw.length; k++) thresholds.push((xhi[k - 1] + xlo[k]) / 2);
  // Clipping can make neighbouring values equal; merge them so the table stays minimal.
  const t2: number[] = [], v2: number[] = [values[0]];
  for (let k = 0; k < thresholds.length; k++) {
    if (values[k + 1] === v2[v2.length - 1]) continue;
    t2.push(thresholds[k]); v2.push(values[k + 1]);
  }
  return { thresholds: t2, values: v2 };
}
