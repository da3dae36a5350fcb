import { pooledFeatures, type PooledMatrix } from '../../features/pooled.js';
import type { FittedPreprocessor } from '../../features/preprocess.js';
import type { VideoTable } from '../../data/table.js';
import { VigilError } from '../../util/errors.js';
import { createRng } from '../../util/rng.js';
import { fitLogisticAdam } from '../../util/logisticAdam.js';

/**
 * Weighted L2-regularised logistic regression on pooled features (the fitter is util/logisticAdam.ts):
 * both a baseline and the cheap model behind the out-of-fold scores that label-noise filtering uses.
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
  const fit = fitLogisticAdam(X.X, d, Array.from({ length: n }, (_, i) => i), y, w, o);
  return { kind: 'logistic', names: X.names, mean: Array.from(fit.mean), std: Array.from(fit.std), coef: Array.from(fit.coef), intercept: fit.intercept };
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
