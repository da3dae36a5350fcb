import type { Calibrator } from './types.js';
import { stableSigmoid } from '../util/sigmoid.js';

// Re-exported under the name the calibrators, the public index and the notebooks use.
export { stableSigmoid };

/** The downsampling correction: training kept a fraction r of negatives, which inflates the odds by 1/r. */
export function downsamplingShift(negativeKeepRate: number): number {
  return Math.log(negativeKeepRate);
}

/** Number of thresholds ≤ x (thresholds ascending): the isotonic step index. */
export function stepIndex(thresholds: ArrayLike<number>, x: number): number {
  let lo = 0, hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Calibrated probability for one raw fused logit. */
export function calibrateOne(cal: Calibrator, z: number): number {
  const x = z + cal.shift;
  switch (cal.method) {
    case 'platt': return stableSigmoid(cal.a * x + cal.b);
    case 'temperature': return stableSigmoid(x / cal.T);
    case 'isotonic': return cal.values[stepIndex(cal.thresholds, x)];
  }
}

/** Calibrated probabilities for raw fused logits. */
export function applyCalibrator(cal: Calibrator, logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = calibrateOne(cal, logits[i]);
  return out;
}
