/**
 * Embedding summaries for drift monitoring: the mean-pooled embedding of a video, the reference's
 * leading principal directions (PCA by power iteration on a sample) and a k-means codebook of the
 * reference's pooled embeddings. Drift is then measured on the projections, the cluster shares and
 * the distance to the nearest centroid (features.ts), which move when the content mix moves.
 */
import type { VideoTable } from '../data/table.js';
import { createRng } from '../util/rng.js';
import type { EmbeddingReference } from './types.js';

/** Mean-pooled embedding of row i (frames or audio segments); null when the row has none. */
export function pooled(t: VideoTable, i: number, which: 'visual' | 'audio'): Float64Array | null {
  const dim = which === 'visual' ? t.frameDim : t.audioDim;
  const off = which === 'visual' ? t.frameOffsets : t.audioOffsets;
  const emb = which === 'visual' ? t.frameEmb : t.audioEmb;
  const a = off[i], b = off[i + 1];
  if (b <= a || dim === 0 || (which === 'audio' && !t.hasAudio[i])) return null;
  const out = new Float64Array(dim);
  for (let r = a; r < b; r++) for (let j = 0; j < dim; j++) out[j] += emb[r * dim + j];
  for (let j = 0; j < dim; j++) out[j] /= b - a;
  return out;
}

export function norm(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

/** Clusters in the embedding codebook: enough to separate content kinds, few enough that each holds ~5%+ of the reference. */
export const EMBEDDING_CLUSTERS = 16;

/**
 * Mean and the top `k` principal directions of the pooled embeddings of up to `sample` rows, by power
 * iteration with deflation (X^T X v without forming the covariance). Each direction's sign is fixed
 * (largest component positive) so the same data always gives the same reference.
 */
export function embeddingReference(t: VideoTable, rows: readonly number[], which: 'visual' | 'audio', k = 2, sample = 4000, seed = 7): EmbeddingReference | undefined {
  const dim = which === 'visual' ? t.frameDim : t.audioDim;
  if (dim === 0) return undefined;
  const rng = createRng(seed);
  const pick = rows.length <= sample ? [...rows] : Array.from({ length: sample }, () => rows[rng.int(rows.length)]);
  const X: Float64Array[] = [];
  for (const i of pick) {
    const p = pooled(t, i, which);
    if (p) X.push(p);
  }
  if (X.length < 2) return undefined;
  const mean = new Float64Array(dim);
  for (const x of X) for (let j = 0; j < dim; j++) mean[j] += x[j] / X.length;
  const C = X.map((x) => x.map((v, j) => v - mean[j]));
  const dirs: number[][] = [];
  for (let d = 0; d < Math.min(k, dim); d++) {
    let v = new Float64Array(dim).map(() => rng.normal());
    for (let it = 0; it < 60; it++) {
      const w = new Float64Array(dim);
      for (const c of C) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += c[j] * v[j];
        for (let j = 0; j < dim; j++) w[j] += dot * c[j];
      }
      for (const u of dirs) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += u[j] * w[j];
        for (let j = 0; j < dim; j++) w[j] -= dot * u[j];
      }
      const n = norm(w);
      if (n === 0) break;
      v = w.map((x) => x / n);
    }
    let big = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) v = v.map((x) => -x);
    dirs.push(Array.from(v));
  }
  return { dim, mean: Array.from(mean), directions: dirs, centroids: kMeans(X, EMBEDDING_CLUSTERS, rng) };
}

function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) { const d = a[j] - b[j]; s += d * d; }
  return s;
}

/** Index of the nearest centroid and the distance to it. */
export function nearestCentroid(x: ArrayLike<number>, centroids: number[][]): { index: number; dist: number } {
  let best = 0, bd = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = sqDist(x, centroids[c]);
    if (d < bd) { bd = d; best = c; }
  }
  return { index: best, dist: Math.sqrt(bd) };
}

/** k-means++ seeding then Lloyd iterations; deterministic for a given rng. */
export function kMeans(X: Float64Array[], k: number, rng: { next(): number; int(n: number): number }, iters = 25): number[][] {
  if (X.length === 0) return [];
  k = Math.min(k, X.length);
  const C: Float64Array[] = [Float64Array.from(X[rng.int(X.length)])];
  const d2 = X.map((x) => sqDist(x, C[0]));
  while (C.length < k) {
    const total = d2.reduce((a, b) => a + b, 0);
    let u = rng.next() * total, pick = 0;
    for (; pick < X.length - 1; pick++) { u -= d2[pick]; if (u <= 0) break; }
    C.push(Float64Array.from(X[pick]));
    for (let i = 0; i < X.length; i++) d2[i] = Math.min(d2[i], sqDist(X[i], C[C.length - 1]));
  }
  const dim = X[0].length;
  const assign = new Int32Array(X.length);
  for (let it = 0; it < iters; it++) {
    let moved = 0;
    const cents = C.map((c) => Array.from(c));
    for (let i = 0; i < X.length; i++) {
      const a = nearestCentroid(X[i], cents).index;
      if (a !== assign[i] || it === 0) { moved++; assign[i] = a; }
    }
    const sum = C.map(() => new Float64Array(dim));
    const cnt = new Float64Array(C.length);
    for (let i = 0; i < X.length; i++) { cnt[assign[i]]++; for (let j = 0; j < dim; j++) sum[assign[i]][j] += X[i][j]; }
    for (let c = 0; c < C.length; c++) if (cnt[c] > 0) for (let j = 0; j < dim; j++) C[c][j] = sum[c][j] / cnt[c];
    if (moved === 0) break;
  }
  return C.map((c) => Array.from(c));
}
