import { validateScored, type GroupIds } from '../stats/validate.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { VigilError } from '../util/errors.js';
import { LOGLOSS_CLIP } from '../stats/metrics.js';
import { applyCalibrator, downsamplingShift } from './apply.js';
import { fitPlatt } from './platt.js';
import { fitIsotonic } from './isotonic.js';
import { fitTemperature } from './temperature.js';
import type { CalibrationMethod, Calibrator } from './types.js';

export interface FitCalibratorOptions {
  methods: CalibrationMethod[];
  /** Fraction of negatives training kept; the correction log(rate) is applied before any method. */
  negativeKeepRate: number;
  /** Creator/leakage groups: cross-fit folds never split a group. */
  groups?: GroupIds | null;
  /** Cross-fit folds for the held-out comparison (default 2). */
  folds?: number;
  seed?: number;
}

export interface CandidateScore {
  /** Weighted log-loss on held-out folds (each row scored by a calibrator fitted without its fold). */
  heldout_logloss: number;
  heldout_brier: number;
}

export interface CalibrationSelection {
  chosen: CalibrationMethod;
  candidates: Partial<Record<CalibrationMethod, CandidateScore>>;
  /** The uncalibrated baseline (shifted logit through a stableSigmoid) on the same folds. */
  uncalibrated: CandidateScore;
  folds: number;
  unit: 'group' | 'row';
  rows: number;
  shift: number;
}

/** Fits one method on (shifted logits, labels, weights). */
export function fitMethod(method: CalibrationMethod, x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, shift: number): Calibrator {
  // Methods fit on x = z + shift, so the stored calibrator re-applies the same shift to raw logits.
  switch (method) {
    case 'platt': return { method, shift, ...fitPlatt(x, y, w) };
    case 'temperature': return { method, shift, ...fitTemperature(x, y, w) };
    case 'isotonic': return { method, shift, ...fitIsotonic(x, y, w) };
  }
}

/** Fold per row: groups (or rows) shuffled with the seed and dealt round-robin, so folds are balanced. */
function assignFolds(n: number, groups: GroupIds | null | undefined, folds: number, seed: number): Int32Array {
  const dense = new Int32Array(n);
  const ids = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const g = groups ? groups[i] : i;
    let d = ids.get(g);
    if (d === undefined) { d = ids.size; ids.set(g, d); }
    dense[i] = d;
  }
  const perm = Int32Array.from({ length: ids.size }, (_, k) => k);
  shuffleInPlace(perm, createRng(seed));
  const foldOf = new Int32Array(ids.size);
  for (let k = 0; k < perm.length; k++) foldOf[perm[k]] = k % folds;
  return dense.map((d) => foldOf[d]);
}

function scoreProbs(p: Float64Array, y: ArrayLike<number>, w: ArrayLike<number>, rows: number[], acc: { ll: number; br: number; W: number }) {
  for (const i of rows) {
    const q = Math.min(1 - LOGLOSS_CLIP, Math.max(LOGLOSS_CLIP, p[i]));
    acc.ll -= w[i] * (y[i] === 1 ? Math.log(q) : Math.log(1 - q));
    acc.br += w[i] * (p[i] - y[i]) ** 2;
    acc.W += w[i];
  }
}

/** The chosen calibrator, the recorded comparison, and every method fitted on all rows. */
export interface CalibrationFit {
  calibrator: Calibrator;
  selection: CalibrationSelection;
  /**
   * Each requested method fitted on the whole window (the chosen one is `calibrator`), so a report
   * can show how every method does on later weeks without fitting anything again.
   */
  byMethod: Partial<Record<CalibrationMethod, Calibrator>>;
}

/**
 * Fits every requested method, compares them by cross-fitted held-out log-loss (group-aware folds),
 * and fits each on all rows. Returns the winner, the recorded comparison and every full-window fit.
 */
export function fitCalibratorWithSelection(
  logits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, opts: FitCalibratorOptions,
): CalibrationFit {
  validateScored(logits, labels, weights, opts.groups);
  if (!(opts.negativeKeepRate > 0 && opts.negativeKeepRate <= 1)) {
    throw new VigilError(`'negativeKeepRate': expected a number in (0, 1], got ${opts.negativeKeepRate}`, { field: 'negativeKeepRate' });
  }
  if (opts.methods.length === 0) throw new VigilError(`'methods': at least one calibration method is needed`, { field: 'methods' });
  const n = logits.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i];
  if (pos === 0 || pos === n) throw new VigilError(`'labels': calibration needs both classes, got ${pos} positives in ${n} rows`, { field: 'labels' });
  const shift = downsamplingShift(opts.negativeKeepRate);
  const x = Float64Array.from(logits, (z) => z + shift);
  const folds = Math.max(2, opts.folds ?? 2);
  const fold = assignFolds(n, opts.groups, folds, opts.seed ?? 13);
  const rowsIn = Array.from({ length: folds }, () => [] as number[]);
  for (let i = 0; i < n; i++) rowsIn[fold[i]].push(i);

  const candidates: CalibrationSelection['candidates'] = {};
  for (const m of opts.methods) {
    const acc = { ll: 0, br: 0, W: 0 };
    for (let f = 0; f < folds; f++) {
      const tr = rowsIn.flatMap((r, g) => (g === f ? [] : r));
      const cal = fitMethod(m, tr.map((i) => x[i]), tr.map((i) => labels[i]), tr.map((i) => weights[i]), shift);
      scoreProbs(applyCalibrator(cal, logits), labels, weights, rowsIn[f], acc);
    }
    candidates[m] = { heldout_logloss: acc.ll / acc.W, heldout_brier: acc.br / acc.W };
  }
  const base = { ll: 0, br: 0, W: 0 };
  scoreProbs(applyCalibrator({ method: 'temperature', shift, T: 1 }, logits), labels, weights, Array.from({ length: n }, (_, i) => i), base);
  let chosen = opts.methods[0];
  for (const m of opts.methods) if (candidates[m]!.heldout_logloss < candidates[chosen]!.heldout_logloss) chosen = m;
  const byMethod: CalibrationFit['byMethod'] = {};
  for (const m of opts.methods) byMethod[m] = byMethod[m] ?? fitMethod(m, x, labels, weights, shift);
  return {
    calibrator: byMethod[chosen]!, byMethod,
    selection: {
      chosen, candidates,
      uncalibrated: { heldout_logloss: base.ll / base.W, heldout_brier: base.br / base.W },
      folds, unit: opts.groups ? 'group' : 'row', rows: n, shift,
    },
  };
}

/** The calibrator chosen by held-out log-loss (see `fitCalibratorWithSelection` for the comparison). */
export function fitCalibrator(
  logits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, opts: FitCalibratorOptions,
): Calibrator {
  return fitCalibratorWithSelection(logits, labels, weights, opts).calibrator;
}
