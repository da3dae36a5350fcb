import { pooledFeatures, type PooledMatrix } from '../../features/pooled.js';
import type { FittedPreprocessor } from '../../features/preprocess.js';
import type { VideoTable } from '../../data/table.js';
import { VigilError } from '../../util/errors.js';
import { createRng, shuffleInPlace } from '../../util/rng.js';
import { sigmoid } from '../../util/sigmoid.js';

/**
 * Weighted L2-regularised logistic regression on pooled features, fitted with minibatch Adam on
 * standardised columns. Small and dependency-free: it is both a baseline and the cheap model behind
 * the out-of-fold scores that label-noise filtering uses.
 */
export interface LogisticModel {
  kind: 'logistic';
  names: string[];
  mean: number[];
  std: number[];
  /** Coefficients on standardised columns. */
  coef: number[];
  intercept: number;
}

export interface LogisticOptions {
  l2: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_LOGISTIC: LogisticOptions = { l2: 1e-3, epochs: 8, learningRate: 0.01, batchSize: 256, seed: 1 };

export function fitLogistic(X: PooledMatrix, y: ArrayLike<number>, w: ArrayLike<number>, opts: Partial<LogisticOptions> = {}): LogisticModel {
  const o = { ...DEFAULT_LOGISTIC, ...opts };
  const { n, d } = X;
  if (y.length !== n || w.length !== n) throw new VigilError(`'labels': expected ${n} labels and weights, got ${y.length} and ${w.length}`, { field: 'labels' });
  if (n === 0) throw new VigilError("'rows': logistic regression needs at least one row", { field: 'rows' });
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const x = X.X[i * d + j]; mean[j] += x; sq[j] += x * x; }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) { mean[j] /= n; std[j] = Math.sqrt(Math.max(sq[j] / n - mean[j] ** 2, 0)); if (std[j] < 1e-6) std[j] = 1; }
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i];
  const wscale = n / Math.max(wsum, 1e-12);
  const coef = new Float64Array(d);
  let b = 0;
  const m = new Float64Array(d + 1), v = new Float64Array(d + 1);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const grad = new Float64Array(d + 1);
  const xs = new Float64Array(d);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = createRng(o.seed);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let s = 0; s < n; s += o.batchSize) {
      grad.fill(0);
      const e = Math.min(n, s + o.batchSize);
      for (let k = s; k < e; k++) {
        const i = order[k];
        let z = b;
        for (let j = 0; j < d; j++) { xs[j] = (X.X[i * d + j] - mean[j]) / std[j]; z += coef[j] * xs[j]; }
        const g = (sigmoid(z) - y[i]) * w[i] * wscale;
        for (let j = 0; j < d; j++) grad[j] += g * xs[j];
        grad[d] += g;
      }
      const bs = e - s;
      step++;
      for (let j = 0; j <= d; j++) {
        const gj = grad[j] / bs + (j < d ? o.l2 * coef[j] : 0);
        m[j] = b1 * m[j] + (1 - b1) * gj;
        v[j] = b2 * v[j] + (1 - b2) * gj * gj;
        const upd = (o.learningRate * (m[j] / (1 - b1 ** step))) / (Math.sqrt(v[j] / (1 - b2 ** step)) + eps);
        if (j < d) coef[j] -= upd; else b -= upd;
      }
    }
  }
  return { kind: 'logistic', names: X.names, mean: Array.from(mean), std: Array.from(std), coef: Array.from(coef), intercept: b };
}

/** Logits (log-odds) for every row of X. */
export function predictLogistic(model: LogisticModel, X: PooledMatrix): Float32Array {
  const d = model.coef.length;
  if (X.d !== d) throw new VigilError(`'features': ${X.d} columns but the model has ${d}`, { field: 'features' });
  const out = new Float32Array(X.n);
  for (let i = 0; i < X.n; i++) {
    let z = model.intercept;
    for (let j = 0; j < d; j++) z += model.coef[j] * ((X.X[i * d + j] - model.mean[j]) / model.std[j]);
    out[i] = z;
  }
  return out;
}

/**
 * The pooled-feature logistic baseline as the comparison table and the leakage demo train it: all
 * positives and a seeded sample of negatives (the pooled matrix is dense), positives up-weighted.
 */
export function fitPooledLogistic(
  table: VideoTable, fitted: FittedPreprocessor, trainRows: number[], opts: { seed: number; positiveWeight: number },
): LogisticModel {
  const rng = createRng(opts.seed).fork('logistic');
  const pos = trainRows.filter((r) => table.harmful[r] === 1).length;
  const keep = Math.min(1, Math.max(10 * pos, 5000) / Math.max(trainRows.length - pos, 1));
  const fitRows = trainRows.filter((r) => table.harmful[r] === 1 || rng.next() < keep);
  return fitLogistic(pooledFeatures(fitted, table, fitRows), fitRows.map((r) => table.harmful[r]),
    fitRows.map((r) => table.weight[r] * (table.harmful[r] === 1 ? opts.positiveWeight : 1)), { seed: opts.seed });
}

/** Scores (logits) of `rows`, pooled in chunks to bound memory. */
export function scorePooledLogistic(m: LogisticModel, fitted: FittedPreprocessor, table: VideoTable, rows: number[]): Float32Array {
  const z = new Float32Array(rows.length);
  for (let s = 0; s < rows.length; s += 4096) z.set(predictLogistic(m, pooledFeatures(fitted, table, rows.slice(s, s + 4096))), s);
  return z;
}
