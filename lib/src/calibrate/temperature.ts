import { stableSigmoid } from './apply.js';

/**
 * Temperature T minimising the weighted log-loss of σ(x/T). The loss is convex in u = 1/T, so the
 * root of its derivative Σ w (σ(u·x) − y)·x is found by bisection on u ∈ [1e-3, 1e3] (T from 0.001 to
 * 1000), clamped to the ends when the optimum lies outside.
 */
export function fitTemperature(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): { T: number } {
  const grad = (u: number) => {
    let g = 0;
    for (let i = 0; i < x.length; i++) g += w[i] * (stableSigmoid(u * x[i]) - y[i]) * x[i];
    return g;
  };
  let lo = 1e-3, hi = 1e3;
  if (grad(lo) >= 0) return { T: 1 / lo };
  if (grad(hi) <= 0) return { T: 1 / hi };
  // Bisect in log space: the optimum can be anywhere across six decades.
  for (let it = 0; it < 80; it++) {
    const mid = Math.sqrt(lo * hi);
    if (grad(mid) < 0) lo = mid; else hi = mid;
    if (hi / lo < 1 + 1e-12) break;
  }
  return { T: 1 / Math.sqrt(lo * hi) };
}
