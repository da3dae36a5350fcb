import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitIsotonic } from '../../src/calibrate/isotonic.js';
import { fitPlatt } from '../../src/calibrate/platt.js';
import { fitTemperature } from '../../src/calibrate/temperature.js';
import { applyCalibrator, stableSigmoid } from '../../src/calibrate/apply.js';
import { fitCalibrator, fitCalibratorWithSelection } from '../../src/calibrate/fit.js';
import { parseCalibrator } from '../../src/calibrate/types.js';
import { reliabilityDiagram, wilsonInterval } from '../../src/stats/reliability.js';
import { prepareScored } from '../../src/stats/curves.js';
import { ece } from '../../src/stats/metrics.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { sklearnAvailable, runPythonJson, SKLEARN_SKIP } from '../helpers.js';

test('PAV on a hand case', () => {
  // y by x: 0 | 1 0 | 1 1 → the violator pair (1, 0) pools to 0.5; the two 1s pool to 1.
  // Steps sit halfway between blocks: 1.5 and 3.5. Values are clipped away from 0 and 1.
  const r = fitIsotonic([3, 1, 2, 5, 4], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]);
  assert.deepEqual(r.thresholds, [1.5, 3.5]);
  assert.deepEqual(r.values, [1e-6, 0.5, 1 - 1e-6]);
  // Weighted pooling: (3·1 + 1·0) / 4.
  assert.deepEqual(fitIsotonic([1, 2], [1, 0], [3, 1]), { thresholds: [], values: [0.75] });
  // Equal x values share one block even when their labels differ.
  assert.deepEqual(fitIsotonic([1, 1, 2], [0, 1, 1], [1, 1, 1]), { thresholds: [1.5], values: [0.5, 1 - 1e-6] });
  // A tie group enters whole: x = 2 has mean 2/3 > 1/2, so no pooling — even though its first row
  // (y = 0) alone would violate the order.
  assert.deepEqual(fitIsotonic([1, 1, 2, 2, 2], [0, 1, 0, 1, 1], [1, 1, 1, 1, 1]), { thresholds: [1.5], values: [0.5, 2 / 3] });
});

test('isotonic calibrator follows the documented step rule values[#{k : thresholds[k] <= z + shift}]', () => {
  const rng = createRng(3);
  const z = Array.from({ length: 400 }, () => rng.normal() * 2);
  const y = z.map((v) => (rng.next() < stableSigmoid(v) ? 1 : 0));
  const cal = fitCalibrator(z, y, z.map(() => 1), { methods: ['isotonic'], negativeKeepRate: 0.5 });
  assert.equal(cal.method, 'isotonic');
  if (cal.method !== 'isotonic') return;
  assert.equal(cal.values.length, cal.thresholds.length + 1);
  assert.equal(cal.shift, Math.log(0.5));
  const probe = [...z, -10, 10, ...cal.thresholds.map((t) => t - cal.shift)];
  const got = applyCalibrator(cal, probe);
  probe.forEach((v, i) => {
    const count = cal.thresholds.filter((t) => t <= v + cal.shift).length;
    assert.equal(got[i], cal.values[count]);
  });
  for (let k = 1; k < cal.values.length; k++) assert.ok(cal.values[k] > cal.values[k - 1]);
});

function logistic(n: number, seed: number, a: number, b: number) {
  const rng = createRng(seed);
  const x = Array.from({ length: n }, () => rng.normal() * 2);
  const y = x.map((v) => (rng.next() < stableSigmoid(a * v + b) ? 1 : 0));
  return { x, y };
}

test('Platt recovers known parameters, also from downsampled weighted data', () => {
  const { x, y } = logistic(20000, 1, 1.7, -2.3);
  const p = fitPlatt(x, y, x.map(() => 1));
  assert.ok(Math.abs(p.a - 1.7) < 0.1 && Math.abs(p.b + 2.3) < 0.1, JSON.stringify(p));
  // Keep 25% of negatives with weight 4: the weighted fit estimates the same population parameters.
  const rng = createRng(2);
  const keep = x.map((_, i) => y[i] === 1 || rng.next() < 0.25);
  const xs = x.filter((_, i) => keep[i]), ys = y.filter((_, i) => keep[i]);
  const q = fitPlatt(xs, ys, ys.map((v) => (v === 1 ? 1 : 4)));
  assert.ok(Math.abs(q.a - 1.7) < 0.15 && Math.abs(q.b + 2.3) < 0.15, JSON.stringify(q));
});

test('temperature recovers a known temperature; the downsampling shift is applied first', () => {
  const { x, y } = logistic(20000, 4, 1 / 2.5, 0);
  assert.ok(Math.abs(fitTemperature(x, y, x.map(() => 1)).T - 2.5) < 0.2);
  // A model trained with negatives kept at rate r outputs z = z_true − log r; with the shift
  // log r applied first, the fitted temperature on those logits is again ≈ 2.5.
  const r = 0.1;
  const z = x.map((v) => v - Math.log(r));
  const cal = fitCalibrator(z, y, z.map(() => 1), { methods: ['temperature'], negativeKeepRate: r });
  assert.equal(cal.method, 'temperature');
  if (cal.method === 'temperature') assert.ok(Math.abs(cal.T - 2.5) < 0.2, String(cal.T));
});

test('calibration lowers ECE on miscalibrated scores; selection recorded for every method', () => {
  // True probability σ(t); the model's logit is overconfident and shifted: 2.5·t + 1.
  const rng = createRng(9);
  const n = 12000;
  const t = Array.from({ length: n }, () => rng.normal() * 1.5 - 3);
  const y = t.map((v) => (rng.next() < stableSigmoid(v) ? 1 : 0));
  const z = t.map((v) => 2.5 * v + 1);
  const w = z.map(() => 1);
  const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 3));
  const fitRows = [...Array(n).keys()].filter((i) => i % 2 === 0), testRows = [...Array(n).keys()].filter((i) => i % 2 === 1);
  const pick = <T>(a: ArrayLike<T>, idx: number[]) => idx.map((i) => a[i]);
  const { calibrator, selection } = fitCalibratorWithSelection(pick(z, fitRows), pick(y, fitRows), pick(w, fitRows), {
    methods: ['platt', 'isotonic', 'temperature'], negativeKeepRate: 1, groups: pick(groups, fitRows), seed: 5,
  });
  assert.deepEqual(Object.keys(selection.candidates).sort(), ['isotonic', 'platt', 'temperature']);
  const best = Math.min(...Object.values(selection.candidates).map((c) => c!.heldout_logloss));
  assert.equal(selection.candidates[selection.chosen]!.heldout_logloss, best);
  assert.equal(selection.unit, 'group');
  assert.ok(best < selection.uncalibrated.heldout_logloss);
  const before = pick(z, testRows).map(stableSigmoid);
  const after = applyCalibrator(calibrator, pick(z, testRows));
  const yt = pick(y, testRows), wt = pick(w, testRows);
  const eceBefore = ece(prepareScored(before, yt, wt), 15), eceAfter = ece(prepareScored(after, yt, wt), 15);
  assert.ok(eceAfter < eceBefore / 3, `ECE ${eceBefore} → ${eceAfter}`);
  // Platt with a free slope undoes the 2.5× overconfidence.
  const platt = fitCalibrator(z, y, w, { methods: ['platt'], negativeKeepRate: 1 });
  if (platt.method === 'platt') assert.ok(Math.abs(platt.a - 0.4) < 0.05 && Math.abs(platt.b - (-0.4)) < 0.15, JSON.stringify(platt));
});

test('calibrator JSON is validated with the field named', () => {
  const ok = { method: 'platt', shift: -1.2, a: 1, b: 0 };
  assert.deepEqual(parseCalibrator(JSON.parse(JSON.stringify(ok))), ok);
  assert.throws(() => parseCalibrator({ method: 'temperature', shift: 0, T: -1 }), (e: unknown) => e instanceof VigilError && e.field === 'T');
  assert.throws(() => parseCalibrator({ method: 'isotonic', shift: 0, thresholds: [1, 2], values: [0.1, 0.2] }), /values/);
  assert.throws(() => parseCalibrator({ method: 'isotonic', shift: 0, thresholds: [2, 1], values: [0.1, 0.2, 0.3] }), /strictly increasing/);
  assert.throws(() => fitCalibrator([1, 2], [0, 0], [1, 1], { methods: ['platt'], negativeKeepRate: 1 }), /both classes/);
  assert.throws(() => fitCalibrator([1, 2], [0, 1], [1, 1], { methods: ['platt'], negativeKeepRate: 0 }), (e: unknown) => e instanceof VigilError && e.field === 'negativeKeepRate');
});

test('reliability diagram: equal-mass bins with Wilson intervals', () => {
  // 4 rows at 0.1 (1 positive) and 4 at 0.6 (3 positives): two bins of equal mass.
  const d = reliabilityDiagram([0.1, 0.1, 0.1, 0.1, 0.6, 0.6, 0.6, 0.6], [1, 0, 0, 0, 1, 1, 1, 0], new Array(8).fill(1), 2);
  assert.equal(d.bins.length, 2);
  assert.deepEqual(d.bins.map((b) => [b.mean_pred, b.observed, b.rows]), [[0.1, 0.25, 4], [0.6, 0.75, 4]]);
  assert.deepEqual(d.bins[0].ci, wilsonInterval(0.25, 4));
  // Wilson 1/4 at 95%: centre (0.25 + 1.92/4)/(1 + 3.84/4) ≈ 0.3726, half-width ≈ 0.3270.
  assert.ok(Math.abs(d.bins[0].ci[0] - 0.0456) < 1e-3 && Math.abs(d.bins[0].ci[1] - 0.6994) < 1e-3, String(d.bins[0].ci));
  assert.equal(d.log10_floor, -1);
});

test('isotonic and Platt match scikit-learn on the same weighted data', (t) => {
  if (!sklearnAvailable()) { t.skip(SKLEARN_SKIP); return; }
  const rng = createRng(21);
  const n = 800;
  const x = Array.from({ length: n }, () => Math.round(rng.normal() * 200) / 100);  // ties on purpose
  const y = x.map((v) => (rng.next() < stableSigmoid(1.3 * v - 1) ? 1 : 0));
  const w = x.map(() => 0.5 + rng.next() * 2);
  const ref = runPythonJson([
    'import json, sys',
    'import numpy as np',
    'from sklearn.isotonic import IsotonicRegression',
    'from sklearn.linear_model import LogisticRegression',
    'd = json.load(sys.stdin)',
    'x = np.array(d["x"]); y = np.array(d["y"]); w = np.array(d["w"])',
    'iso = IsotonicRegression(out_of_bounds="clip").fit(x, y, sample_weight=w)',
    'lr = LogisticRegression(penalty="none", tol=1e-12, max_iter=10000).fit(x.reshape(-1, 1), y, sample_weight=w)',
    'print(json.dumps({"iso": iso.predict(x).tolist(), "a": float(lr.coef_[0][0]), "b": float(lr.intercept_[0])}))',
  ].join('\n'), { x, y, w }) as { iso: number[]; a: number; b: number };
  const iso = fitIsotonic(x, y, w);
  const mine = applyCalibrator({ method: 'isotonic', shift: 0, ...iso }, x);
  // Same step values at every training point (ours are clipped to [1e-6, 1 − 1e-6]).
  ref.iso.forEach((v, i) => assert.ok(Math.abs(mine[i] - Math.min(1 - 1e-6, Math.max(1e-6, v))) < 1e-9, `row ${i}: ${mine[i]} vs ${v}`));
  // Platt without ridge is plain weighted logistic regression: same optimum (lbfgs stops a little
  // short of it, so the parameters agree to 1e-4 and our loss is no worse).
  const p = fitPlatt(x, y, w, 0);
  assert.ok(Math.abs(p.a - ref.a) < 1e-4 && Math.abs(p.b - ref.b) < 1e-4, `${JSON.stringify(p)} vs ${ref.a}, ${ref.b}`);
  const loss = (a: number, b: number) => x.reduce((s, v, i) => s - w[i] * Math.log(y[i] ? stableSigmoid(a * v + b) : 1 - stableSigmoid(a * v + b)), 0);
  assert.ok(loss(p.a, p.b) <= loss(ref.a, ref.b) + 1e-9);
});
