import { prepareScored, curveOf, allocCurve } from '../stats/curves.js';
import { averagePrecision } from '../stats/metrics.js';
import { averagePrecision as weightedAp } from '../stats/quickMetrics.js';
import { drawGroupMultipliers, quantileSorted } from '../stats/bootstrap.js';
import { createRng } from '../util/rng.js';
import { VigilError } from '../util/errors.js';
import type { GroupIds } from '../stats/validate.js';

/**
 * Model selection on the calibration window: which towers carry signal on their own, and whether
 * the fused model or one single-tower model is the one to export. Only calibration rows are read
 * here; the test weeks never take part in a choice.
 */
export interface CalibWindow {
  labels: ArrayLike<number>;
  weights: ArrayLike<number>;
  /** Creator (or leakage group) per row: the bootstrap resamples whole groups. */
  groups: GroupIds;
}

export interface TowerJudgement {
  tower: string;
  /** Weighted AP of the single-tower model on the calibration window. */
  calibAp: number;
  /** AP of a random ranking: the weighted calibration prevalence. */
  chance: number;
  /** One-sided 95% lower bound of (AP − chance) over creator resamples of the calibration window. */
  liftLow: number;
  aboveChance: boolean;
}

export interface JudgeOptions {
  resamples?: number;
  seed?: number;
  /** Required lower bound of AP − chance (default 0: any lift that survives the resampling). */
  minLift?: number;
}

/** Weighted AP of `scores` on the calibration window. */
export function calibAp(calib: CalibWindow, scores: ArrayLike<number>): number {
  return weightedAp(scores, calib.labels, calib.weights);
}

/**
 * Is each single-tower model better than chance on the calibration window? The lift AP − prevalence
 * is recomputed on `resamples` creator-bootstrap resamples (the same resamples for every tower:
 * group ids are dense in row order); a tower whose 5th-percentile lift is not above `minLift` is
 * indistinguishable from noise at this sample size.
 */
export function judgeTowers(calib: CalibWindow, towers: { tower: string; calibScores: ArrayLike<number> }[], opts: JudgeOptions = {}): TowerJudgement[] {
  const resamples = opts.resamples ?? 200, seed = opts.seed ?? 1, minLift = opts.minLift ?? 0;
  if (!(resamples >= 1)) throw new VigilError(`'resamples': expected at least 1, got ${resamples}`, { field: 'resamples' });
  return towers.map(({ tower, calibScores }) => {
    if (calibScores.length !== calib.labels.length) {
      throw new VigilError(`'${tower}': ${calibScores.length} calibration scores for ${calib.labels.length} calibration rows`, { field: tower });
    }
    const prep = prepareScored(calibScores, calib.labels, calib.weights, calib.groups);
    const curve = allocCurve(prep);
    const point = averagePrecision(curveOf(prep, null, curve));
    const chance = curve.P / (curve.P + curve.N);
    const rng = createRng(seed).fork('tower-lift');
    const mult = new Float64Array(prep.nGroups);
    const lifts: number[] = [];
    for (let b = 0; b < resamples; b++) {
      drawGroupMultipliers(prep.nGroups, rng, mult);
      const ap = averagePrecision(curveOf(prep, mult, curve));
      const prev = curve.P / (curve.P + curve.N);
      if (Number.isFinite(ap) && Number.isFinite(prev)) lifts.push(ap - prev);
    }
    const sorted = Float64Array.from(lifts).sort();
    const liftLow = sorted.length ? quantileSorted(sorted, 0.05) : NaN;
    return { tower, calibAp: point, chance, liftLow, aboveChance: Number.isFinite(liftLow) && liftLow > minLift };
  });
}

export interface ExportChoice {
  /** 'fusion' or the chosen `tower:<name>`. */
  exported: string;
  /** Null when no single-tower model was available to compare with. */
  fusionBeatBestTower: boolean | null;
  bestTower: { name: string; calibAp: number } | null;
  reason: string;
}

/**
 * Export the fused model unless a single-tower model has a strictly higher calibration AP; ties go
 * to the fused model (it degrades gracefully when a modality is missing at serving time).
 */
export function chooseExport(fusedCalibAp: number, towers: { name: string; calibAp: number }[]): ExportChoice {
  const ranked = towers.filter((t) => Number.isFinite(t.calibAp)).sort((a, b) => b.calibAp - a.calibAp);
  const best = ranked[0] ?? null;
  if (!best) return { exported: 'fusion', fusionBeatBestTower: null, bestTower: null, reason: 'no single-tower model to compare with: the fused model is exported' };
  const f = fusedCalibAp.toFixed(4), b = best.calibAp.toFixed(4);
  if (Number.isFinite(fusedCalibAp) && fusedCalibAp >= best.calibAp) {
    return { exported: 'fusion', fusionBeatBestTower: fusedCalibAp > best.calibAp, bestTower: best,
      reason: `the fused model's calibration AP ${f} is at least the best single tower's (${best.name} ${b})` };
  }
  return { exported: best.name, fusionBeatBestTower: false, bestTower: best,
    reason: `${best.name} alone reaches calibration AP ${b}, above the fused model's ${f}: the fused model overfits the weaker towers, so ${best.name} is exported` };
}
