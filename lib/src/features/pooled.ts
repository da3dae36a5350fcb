import type { VideoTable } from '../data/table.js';
import { textNames } from './textFeaturizer.js';
import { transform, type FittedPreprocessor, type FeatureBatch, type TextCache } from './preprocess.js';

/**
 * Fixed-width pooled features for non-sequence models (logistic regression, tree peers):
 * meta | mean frame | max frame | mean audio | audio available | text. Built from `transform`, so it
 * is the same preprocessing the fusion model sees.
 */
export interface PooledMatrix {
  n: number;
  d: number;
  /** Row-major [n, d]. */
  X: Float32Array;
  names: string[];
}

export function pooledNames(fitted: FittedPreprocessor): string[] {
  const { dims } = fitted;
  const r = (p: string, k: number) => Array.from({ length: k }, (_, j) => `${p}${j}`);
  return [...fitted.meta.names, ...r('frame_mean_', dims.frame), ...r('frame_max_', dims.frame),
    ...r('audio_mean_', dims.audio), 'audio_available', ...textNames(fitted.text)];
}

export function pooledDim(fitted: FittedPreprocessor): number {
  const { dims } = fitted;
  return dims.meta + 2 * dims.frame + dims.audio + 1 + dims.text;
}

/** Pool one FeatureBatch into rows of `out` starting at row `at`. */
function poolBatch(fb: FeatureBatch, out: Float32Array, at: number, d: number): void {
  const { meta: Dm, frame: Dv, audio: Da, text: Dt } = fb.dims;
  for (let b = 0; b < fb.B; b++) {
    let p = (at + b) * d;
    out.set(fb.meta.subarray(b * Dm, (b + 1) * Dm), p); p += Dm;
    let nf = 0;
    const mean = new Float64Array(Dv), max = new Float64Array(Dv).fill(-Infinity);
    for (let t = 0; t < fb.T; t++) {
      if (fb.frameMask[b * fb.T + t] === 0) continue;
      nf++;
      const base = (b * fb.T + t) * Dv;
      for (let j = 0; j < Dv; j++) { const x = fb.frames[base + j]; mean[j] += x; if (x > max[j]) max[j] = x; }
    }
    for (let j = 0; j < Dv; j++) out[p + j] = nf > 0 ? mean[j] / nf : 0;
    p += Dv;
    for (let j = 0; j < Dv; j++) out[p + j] = nf > 0 ? max[j] : 0;
    p += Dv;
    let na = 0;
    const am = new Float64Array(Da);
    for (let s = 0; s < fb.S; s++) {
      if (fb.audioMask[b * fb.S + s] === 0) continue;
      na++;
      const base = (b * fb.S + s) * Da;
      for (let j = 0; j < Da; j++) am[j] += fb.audio[base + j];
    }
    for (let j = 0; j < Da; j++) out[p + j] = na > 0 ? am[j] / na : 0;
    p += Da;
    out[p++] = fb.avail[b * 4 + 2];
    out.set(fb.text.subarray(b * Dt, (b + 1) * Dt), p);
  }
}

export function pooledFeatures(fitted: FittedPreprocessor, table: VideoTable, rows: ArrayLike<number>, textCache?: TextCache): PooledMatrix {
  const n = rows.length;
  const d = pooledDim(fitted);
  const X = new Float32Array(n * d);
  const chunk = 512;
  for (let s = 0; s < n; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, n - s) }, (_, k) => rows[s + k]);
    poolBatch(transform(fitted, table, idx, textCache), X, s, d);
  }
  return { n, d, X, names: pooledNames(fitted) };
}
