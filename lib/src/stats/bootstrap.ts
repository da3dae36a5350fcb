import { createRng } from '../util/rng.js';
import type { Prepared } from './curves.js';

/** A flat set of named metric values computed from one (re)sample. */
export type MetricValues = Record<string, number>;

export interface BootstrapResult {
  point: MetricValues;
  /** 95% percentile interval per metric; null when fewer than half the resamples gave a finite value. */
  ci: Record<string, [number, number] | null>;
  /**
   * Every resample's value per metric, in draw order (NaN where undefined on that resample). Two
   * evaluations of the same rows and groups with the same seed draw the same resamples, so their
   * draws can be differenced pairwise (runs/compare.ts).
   */
  draws: Record<string, Float64Array>;
  resamples: number;
  groups: number;
  seed: number;
}

/**
 * Group multiplicities for one resample: draw `nGroups` groups uniformly with replacement and count
 * how often each was drawn. Multiplying each row's weight by its group's count is the same as
 * concatenating the drawn groups, without copying or re-sorting anything.
 */
export function drawGroupMultipliers(nGroups: number, rng: { int(n: number): number }, out = new Float64Array(nGroups)): Float64Array {
  out.fill(0);
  for (let i = 0; i < nGroups; i++) out[rng.int(nGroups)] += 1;
  return out;
}

/** Linear-interpolated quantile (type 7) of an ascending array. */
export function quantileSorted(a: Float64Array, q: number): number {
  if (a.length === 0) return NaN;
  const h = (a.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return a[lo] + (a[hi] - a[lo]) * (h - lo);
}

/**
 * Percentile-bootstrap 95% intervals over groups (creators / leakage groups), so correlated uploads
 * of one creator move together. `compute` is called once without multipliers (the point estimate)
 * and once per resample with them; it re-derives every threshold inside the resample, so the
 * interval includes threshold uncertainty. Deterministic for a given seed.
 */
export function groupBootstrap(
  prep: Prepared,
  compute: (groupMult: Float64Array | null) => MetricValues,
  opts: { resamples: number; seed: number },
): BootstrapResult {
  const point = compute(null);
  const keys = Object.keys(point);
  const draws: BootstrapResult['draws'] = Object.fromEntries(keys.map((k) => [k, new Float64Array(opts.resamples)]));
  const rng = createRng(opts.seed);
  const mult = new Float64Array(prep.nGroups);
  for (let b = 0; b < opts.resamples; b++) {
    drawGroupMultipliers(prep.nGroups, rng, mult);
    const v = compute(mult);
    for (const k of keys) draws[k][b] = Number.isFinite(v[k]) ? v[k] : NaN;
  }
  const ci: BootstrapResult['ci'] = {};
  for (const k of keys) {
    const s = draws[k].filter(Number.isFinite).sort();
    ci[k] = opts.resamples > 0 && s.length >= opts.resamples / 2
      ? [quantileSorted(s, 0.025), quantileSorted(s, 0.975)]
      : null;
  }
  return { point, ci, draws, resamples: opts.resamples, groups: prep.nGroups, seed: opts.seed };
}
