/**
 * How every calibration method does on the recent-time test weeks: each method as fitted on the whole
 * calibration window (kept by the calibrate stage), plus the uncalibrated model. Reporting only — the
 * choice itself was made on held-out calibration folds — so it is measured once, with the fit, and the
 * report formats these rows instead of fitting the calibrators again.
 */
import { applyCalibrator } from '../calibrate/apply.js';
import type { CalibrationMethod } from '../calibrate/types.js';
import { prepareScored } from '../stats/curves.js';
import { ece, brier } from '../stats/metrics.js';
import type { FittedPipeline } from './fit.js';

export interface CalibrationTestRow {
  method: CalibrationMethod | 'uncalibrated';
  /** True for the method the calibration window chose. */
  chosen: boolean;
  /** Equal-mass ECE and Brier score on the test weeks (weighted). */
  ece: number;
  brier: number;
  /** Held-out log-loss on the calibration folds (the selection criterion). */
  heldoutLogLoss: number;
}

type CalibrationParts = Pick<FittedPipeline, 'calibration' | 'calibrators' | 'scores'>;

export function calibrationOnTest(fit: CalibrationParts, labels: ArrayLike<number>, weights: ArrayLike<number>,
  uncalibrated: ArrayLike<number>): CalibrationTestRow[] {
  const sel = fit.calibration;
  const rows: CalibrationTestRow[] = Object.entries(sel.candidates).map(([name, c]) => {
    const method = name as CalibrationMethod;
    const prep = prepareScored(applyCalibrator(fit.calibrators[method]!, fit.scores.test.logit), labels, weights);
    return { method, chosen: method === sel.chosen, ece: ece(prep), brier: brier(prep), heldoutLogLoss: c!.heldout_logloss };
  });
  const raw = prepareScored(uncalibrated, labels, weights);
  rows.push({ method: 'uncalibrated', chosen: false, ece: ece(raw), brier: brier(raw), heldoutLogLoss: sel.uncalibrated.heldout_logloss });
  return rows;
}
