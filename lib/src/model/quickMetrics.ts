/**
 * Small weighted ranking metrics used for early stopping and quick model comparisons inside model/.
 * (The full evaluation with confidence intervals lives in eval/.) Tied scores are one threshold.
 */
function order(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
}

/** Weighted average precision: Σ_thresholds ΔTP · precision / total positive weight. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const idx = order(scores);
  let P = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) P += weights ? weights[i] : 1;
  if (P === 0) return NaN;
  let tp = 0, fp = 0, ap = 0;
  for (let k = 0; k < idx.length;) {
    let dtp = 0, dfp = 0;
    const s = scores[idx[k]];
    while (k < idx.length && scores[idx[k]] === s) {
      const w = weights ? weights[idx[k]] : 1;
      if (labels[idx[k]] === 1) dtp += w; else dfp += w;
      k++;
    }
    tp += dtp; fp += dfp;
    if (dtp > 0) ap += dtp * (tp / (tp + fp));
  }
  return ap / P;
}

/** Highest recall among thresholds whose false-positive rate is <= maxFpr. */
export function recallAtFpr(scores: ArrayLike<number>, labels: ArrayLike<number>, maxFpr: number, weights?: ArrayLike<number>): number {
  const idx = order(scores);
  let P = 0, N = 0;
  for (let i = 0; i < labels.length; i++) { const w = weights ? weights[i] : 1; if (labels[i] === 1) P += w; else N += w; }
  if (P === 0 || N === 0) return NaN;
  let tp = 0, fp = 0, best = 0;
  for (let k = 0; k < idx.length;) {
    const s = scores[idx[k]];
    while (k < idx.length && scores[idx[k]] === s) {
      const w = weights ? weights[idx[k]] : 1;
      if (labels[idx[k]] === 1) tp += w; else fp += w;
      k++;
    }
    if (fp / N <= maxFpr) best = tp / P; else break;
  }
  return best;
}

/** Precision among the top `frac` of (weighted) uploads by score. */
export function precisionAtTop(scores: ArrayLike<number>, labels: ArrayLike<number>, frac: number, weights?: ArrayLike<number>): number {
  const idx = order(scores);
  let total = 0;
  for (let i = 0; i < scores.length; i++) total += weights ? weights[i] : 1;
  const budget = frac * total;
  let tp = 0, seen = 0;
  for (const i of idx) {
    if (seen >= budget) break;
    const w = weights ? weights[i] : 1;
    seen += w;
    if (labels[i] === 1) tp += w;
  }
  return seen > 0 ? tp / seen : NaN;
}
