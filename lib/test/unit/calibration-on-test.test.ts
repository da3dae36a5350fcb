import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCalibrator, downsamplingShift, stableSigmoid } from '../../src/calibrate/apply.js';
import { fitCalibratorWithSelection, fitMethod } from '../../src/calibrate/fit.js';
import { calibrationOnTest } from '../../src/pipeline/calibrationOnTest.js';
import { prepareScored } from '../../src/stats/curves.js';
import { ece, brier } from '../../src/stats/metrics.js';
import { sigmoid } from '../../src/util/sigmoid.js';
import { createRng } from '../../src/util/rng.js';

/** Overconfident logits of a model trained with a quarter of the negatives kept (so the shift is not 0). */
function scored(seed: number, n: number) {
  const rng = createRng(seed);
  const t = Array.from({ length: n }, () => rng.normal() * 1.5 - 3);
  const y = t.map((v) => (rng.next() < stableSigmoid(v) ? 1 : 0));
  const z = Float32Array.from(t, (v) => 2 * v + 1 - downsamplingShift(0.25));
  return { z, y, w: y.map(() => 1) };
}

test('every method is fitted once on the whole window, on shifted logits, and the chosen one is the calibrator', () => {
  const { z, y, w } = scored(3, 3000);
  const methods = ['platt', 'isotonic', 'temperature'] as const;
  const fit = fitCalibratorWithSelection(z, y, w, { methods: [...methods], negativeKeepRate: 0.25, seed: 2 });
  assert.deepEqual(Object.keys(fit.byMethod), [...methods]);
  assert.equal(fit.byMethod[fit.selection.chosen], fit.calibrator);
  const shift = downsamplingShift(0.25);
  for (const m of methods) assert.deepEqual(fit.byMethod[m], fitMethod(m, Float64Array.from(z, (v) => v + shift), y, w, shift));
});

test('the test-week comparison scores each window fit and marks the chosen method; the deployed calibrator is the chosen row', () => {
  const calib = scored(4, 3000), held = scored(5, 2000);
  const fit = fitCalibratorWithSelection(calib.z, calib.y, calib.w, { methods: ['platt', 'temperature'], negativeKeepRate: 0.25, seed: 2 });
  const uncal = Float64Array.from(held.z, (v) => sigmoid(v));
  const rows = calibrationOnTest(
    { calibration: fit.selection, calibrators: fit.byMethod, scores: { calib: { logit: calib.z, p: new Float64Array(0), modalityLogits: new Float32Array(0) }, test: { logit: held.z, p: new Float64Array(0) } } },
    held.y, held.w, uncal,
  );
  assert.deepEqual(rows.map((r) => r.method), ['platt', 'temperature', 'uncalibrated']);
  assert.deepEqual(rows.filter((r) => r.chosen).map((r) => r.method), [fit.selection.chosen]);
  const chosen = rows.find((r) => r.chosen)!;
  const deployed = prepareScored(applyCalibrator(fit.calibrator, held.z), held.y, held.w);
  assert.equal(chosen.ece, ece(deployed));
  assert.equal(chosen.brier, brier(deployed));
  assert.equal(chosen.heldoutLogLoss, fit.selection.candidates[fit.selection.chosen]!.heldout_logloss);
  const raw = rows[2];
  assert.equal(raw.ece, ece(prepareScored(uncal, held.y, held.w)));
  assert.equal(raw.heldoutLogLoss, fit.selection.uncalibrated.heldout_logloss);
  // Calibrated on the window, every method beats the overconfident raw scores on later rows.
  for (const r of rows.slice(0, 2)) assert.ok(r.ece < raw.ece, `${r.method} ECE ${r.ece} vs raw ${raw.ece}`);
});
