/**
 * Variable-length sequences (frames, audio segments): per-dimension standardisation fitted on train
 * items, then padding to the batch maximum with a 0/1 mask. Padding is never mistaken for content:
 * every pooling reads the mask, and a video without audio has an all-zero audio mask (not zero
 * vectors that would look like silence).
 */
export interface FittedSequenceScaler {
  dim: number;
  mean: number[];
  std: number[];
}

export interface SequenceSource {
  dim: number;
  offsets: Int32Array;
  emb: Float32Array;
}

export function fitSequenceScaler(src: SequenceSource, trainRows: ArrayLike<number>): FittedSequenceScaler {
  const d = src.dim;
  const s = new Float64Array(d), s2 = new Float64Array(d);
  let n = 0;
  for (let k = 0; k < trainRows.length; k++) {
    const r = trainRows[k];
    for (let t = src.offsets[r]; t < src.offsets[r + 1]; t++) {
      const base = t * d;
      for (let j = 0; j < d; j++) { const x = src.emb[base + j]; s[j] += x; s2[j] += x * x; }
      n++;
    }
  }
  const mean: number[] = [], std: number[] = [];
  for (let j = 0; j < d; j++) {
    const m = n > 0 ? s[j] / n : 0;
    const v = n > 1 ? Math.max(s2[j] / n - m * m, 0) : 0;
    mean.push(m);
    std.push(v > 1e-12 ? Math.sqrt(v) : 1);
  }
  return { dim: d, mean, std };
}

/**
 * Which items of a length-`n` sequence are kept under a cap: all of them when n <= cap, else `cap`
 * evenly spaced ones (so a long video is covered end to end rather than cut after `cap` seconds).
 */
export function keptItems(n: number, cap: number): number[] {
  if (n <= cap) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: cap }, (_, k) => Math.floor((k * n) / cap));
}

/** Padded length for a batch: the longest kept sequence, at least `minLen`. */
export function paddedLength(src: SequenceSource, rows: ArrayLike<number>, cap: number, minLen: number): number {
  let T = minLen;
  for (let k = 0; k < rows.length; k++) {
    const n = Math.min(src.offsets[rows[k] + 1] - src.offsets[rows[k]], cap);
    if (n > T) T = n;
  }
  return T;
}

/** Fill `values` [B,T,dim] and `mask` [B,T] for `rows` (both zero-initialised by the caller). */
export function fillSequence(sc: FittedSequenceScaler, src: SequenceSource, rows: ArrayLike<number>, T: number,
  cap: number, values: Float32Array, mask: Float32Array): void {
  const d = sc.dim;
  for (let b = 0; b < rows.length; b++) {
    const r = rows[b];
    const start = src.offsets[r];
    const kept = keptItems(src.offsets[r + 1] - start, Math.min(cap, T));
    for (let t = 0; t < kept.length; t++) {
      const from = (start + kept[t]) * d;
      const to = (b * T + t) * d;
      for (let j = 0; j < d; j++) values[to + j] = (src.emb[from + j] - sc.mean[j]) / sc.std[j];
      mask[b * T + t] = 1;
    }
  }
}
