import { sigmoid } from '../util/sigmoid.js';

/**
 * Weighted L2-regularised logistic regression on a sparse CSR matrix, fitted by full-batch L-BFGS in
 * Float64 (plain JS: a text vocabulary of 10⁵ columns is far too wide for a dense layer on the wasm
 * backend, but one pass over the non-zeros costs milliseconds).
 *
 * Objective, on the rows `rows` with weights w normalised to mean 1 (so C means what scikit-learn's C
 * means with sample weights of mean 1):
 *   C · Σ_i w_i · [log(1 + e^{z_i}) − y_i z_i] + ½ ‖β‖²,   z_i = x_i·β + b  (the intercept b is not penalised).
 * Starts from `init` (warm start) or zero, so a fit is deterministic.
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rowPtr[i]..rowPtr[i+1] index `col`/`val` for row i. */
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

export interface SparseLogisticOptions {
  C: number;
  /** Stop after this many L-BFGS iterations. */
  maxIter?: number;
  /** Stop when ‖∇‖∞ falls below this (objective scaled by 1/(C·Σw)). */
  gradTol?: number;
  /** L-BFGS memory. */
  memory?: number;
  /** Warm start: [β (cols), b]. */
  init?: Float64Array;
}

export interface SparseLogisticModel {
  /** [β (cols), b]. */
  theta: Float64Array;
  iterations: number;
  /** Objective at the solution. */
  objective: number;
}

/** z = Xβ + b for the listed rows (or all). */
export function sparseLogits(X: CsrMatrix, theta: Float64Array, rows?: ArrayLike<number>): Float64Array {
  const n = rows ? rows.length : X.rows;
  const z = new Float64Array(n);
  const b = theta[X.cols];
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k] : k;
    let s = b;
    for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) s += X.val[p] * theta[X.col[p]];
    z[k] = s;
  }
  return z;
}

/** log(1 + e^z) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * Objective and gradient (written into `grad`) at theta. Exported for the gradient check in the tests.
 * `w` must already be scaled by C.
 */
export function logisticObjective(X: CsrMatrix, rows: ArrayLike<number>, y: ArrayLike<number>, w: Float64Array,
  theta: Float64Array, grad: Float64Array): number {
  const d = X.cols;
  let f = 0;
  for (let j = 0; j < d; j++) { f += 0.5 * theta[j] * theta[j]; grad[j] = theta[j]; }
  grad[d] = 0;
  const b = theta[d];
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const a = X.rowPtr[i], e = X.rowPtr[i + 1];
    let z = b;
    for (let p = a; p < e; p++) z += X.val[p] * theta[X.col[p]];
    const yi = y[k], wi = w[k];
    f += wi * (softplus(z) - yi * z);
    const r = wi * (sigmoid(z) - yi);
    grad[d] += r;
    for (let p = a; p < e; p++) grad[X.col[p]] += r * X.val[p];
  }
  return f;
}

const dot = (a: Float64Array, b: Float64Array): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/**
 * Fit on the CSR rows `rows` (labels `y` and weights `weight` aligned with `rows`). Weights are
 * normalised to mean 1 over these rows.
 */
export function fitSparseLogistic(X: CsrMatrix, rows: ArrayLike<number>, y: ArrayLike<number>, weight: ArrayLike<number>,
  opts: SparseLogisticOptions): SparseLogisticModel {
  const d = X.cols, D = d + 1;
  const maxIter = opts.maxIter ?? 200, gradTol = opts.gradTol ?? 1e-6, m = opts.memory ?? 10;
  let wSum = 0;
  for (let k = 0; k < rows.length; k++) wSum += weight[k];
  const w = new Float64Array(rows.length);
  const wScale = wSum > 0 ? (opts.C * rows.length) / wSum : 0;
  for (let k = 0; k < rows.length; k++) w[k] = weight[k] * wScale;
  // The objective grows with C·n; gradient tolerance is relative to that scale.
  const fScale = Math.max(1, opts.C * rows.length);
  const theta = opts.init ? Float64Array.from(opts.init) : new Float64Array(D);
  const g = new Float64Array(D), gNew = new Float64Array(D), thetaNew = new Float64Array(D), dir = new Float64Array(D);
  let f = logisticObjective(X, rows, y, w, theta, g);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const alpha = new Float64Array(m);
  let it = 0;
  for (; it < maxIter; it++) {
    let gInf = 0;
    for (let j = 0; j < D; j++) gInf = Math.max(gInf, Math.abs(g[j]));
    if (gInf / fScale < gradTol) break;
    // Two-loop recursion: dir = −H·g.
    for (let j = 0; j < D; j++) dir[j] = -g[j];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], dir);
      const yk = Y[k];
      for (let j = 0; j < D; j++) dir[j] -= alpha[k] * yk[j];
    }
    const gamma = S.length > 0 ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.sqrt(dot(g, g));
    for (let j = 0; j < D; j++) dir[j] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], dir);
      const sk = S[k];
      for (let j = 0; j < D; j++) dir[j] += (alpha[k] - beta) * sk[j];
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      const gn = Math.sqrt(dot(g, g));
      for (let j = 0; j < D; j++) dir[j] = -g[j] / gn;
      slope = dot(g, dir);
    }
    // Backtracking Armijo line search from the unit step.
    let step = 1, fNew = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < D; j++) thetaNew[j] = theta[j] + step * dir[j];
      fNew = logisticObjective(X, rows, y, w, thetaNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break;
    const s = new Float64Array(D), yv = new Float64Array(D);
    for (let j = 0; j < D; j++) { s[j] = thetaNew[j] - theta[j]; yv[j] = gNew[j] - g[j]; }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(yv); rho.push(1 / sy);
    }
    const rel = (f - fNew) / Math.max(1, Math.abs(f));
    theta.set(thetaNew); g.set(gNew); f = fNew;
    if (rel < 1e-10) { it++; break; }
  }
  return { theta, iterations: it, objective: f };
}
