import { createRng, shuffleInPlace } from './rng.js';
import { sigmoid } from './sigmoid.js';

/**
 * Weighted L2-regularised logistic regression on standardised columns, fitted with minibatch Adam:
 * the one fitter behind the pooled-feature baseline and label-noise model (model/baselines/logistic.ts)
 * and the simulator's signal probes (simulate/probe.ts). Plain loops, deterministic for a seed.
 */
export interface LogisticAdamOptions {
  l2: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export interface LogisticFit {
  mean: Float64Array;
  std: Float64Array;
  /** Coefficients on standardised columns. */
  coef: Float64Array;
  intercept: number;
}

/**
 * Fit on `rows` of the row-major matrix `x` (d columns), visited in a seeded shuffle of that list.
 * `y` and `w` are indexed like the rows of `x`; the weights are rescaled to mean 1 over the fitted rows.
 */
export function fitLogisticAdam(
  x: ArrayLike<number>, d: number, rows: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, o: LogisticAdamOptions,
): LogisticFit {
  const order = Array.from(rows);
  const n = order.length;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (const i of order) for (let j = 0; j < d; j++) { const v = x[i * d + j]; mean[j] += v; sq[j] += v * v; }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) { mean[j] /= n; std[j] = Math.sqrt(Math.max(sq[j] / n - mean[j] ** 2, 0)); if (std[j] < 1e-6) std[j] = 1; }
  let wsum = 0;
  for (const i of order) wsum += w[i];
  const wscale = n / Math.max(wsum, 1e-12);
  const coef = new Float64Array(d);
  let b = 0;
  const m = new Float64Array(d + 1), v = new Float64Array(d + 1);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const grad = new Float64Array(d + 1);
  const xs = new Float64Array(d);
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
        for (let j = 0; j < d; j++) { xs[j] = (x[i * d + j] - mean[j]) / std[j]; z += coef[j] * xs[j]; }
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
  return { mean, std, coef, intercept: b };
}
