import { stableSigmoid } from './apply.js';

/**
 * Weighted logistic regression of y on x (one feature plus intercept) by Newton's method.
 * A tiny ridge on `a` keeps the solution finite when the classes are separable.
 */
export function fitPlatt(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, ridge = 1e-6): { a: number; b: number } {
  const n = x.length;
  let W = 0, Wy = 0;
  for (let i = 0; i < n; i++) { W += w[i]; Wy += w[i] * y[i]; }
  // Start from the prevalence intercept: Newton from there converges in a handful of steps.
  const prev = Math.min(1 - 1e-9, Math.max(1e-9, W > 0 ? Wy / W : 0.5));
  let a = 1, b = Math.log(prev / (1 - prev));
  const loss = (a_: number, b_: number) => {
    let s = 0.5 * ridge * W * a_ * a_;
    for (let i = 0; i < n; i++) {
      const t = a_ * x[i] + b_;
      // log(1 + e^t) − y·t, computed stably.
      s += w[i] * ((t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - y[i] * t);
    }
    return s;
  };
  let cur = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = ridge * W * a, gb = 0, haa = ridge * W, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const p = stableSigmoid(a * x[i] + b);
      const r = w[i] * (p - y[i]), h = w[i] * p * (1 - p);
      ga += r * x[i]; gb += r;
      haa += h * x[i] * x[i]; hab += h * x[i]; hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    // Backtracking keeps every step a descent step (plain Newton can overshoot far from the optimum).
    let step = 1, next = loss(a - da, b - db);
    while (next > cur && step > 1e-6) { step /= 2; next = loss(a - step * da, b - step * db); }
    da *= step; db *= step;
    a -= da; b -= db;
    const done = Math.abs(cur - next) <= 1e-12 * Math.max(1, Math.abs(cur));
    cur = next;
    if (done || (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10)) break;
  }
  return { a, b };
}
