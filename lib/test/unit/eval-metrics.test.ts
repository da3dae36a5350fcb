import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareScored, curveOf, rocCurve } from '../../src/stats/curves.js';
import { averagePrecision, rocAuc, partialAuc, recallAtFpr, precisionAtTop, bestFBeta, ece, brier, logLoss } from '../../src/stats/metrics.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { sklearnAvailable, runPythonJson, SKLEARN_SKIP } from '../helpers.js';

const ones = (n: number) => new Float64Array(n).fill(1);
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// Hand case: scores 0.9 0.8 0.7 0.6 0.5 with labels 1 0 1 0 0 (P = 2, N = 3), unit weights.
const S = [0.9, 0.8, 0.7, 0.6, 0.5], Y = [1, 0, 1, 0, 0];
const hand = () => curveOf(prepareScored(S, Y, ones(5)));

test('AP: step-wise sum of precision at each recall increase', () => {
  // Recall rises 0 → 0.5 at 0.9 (precision 1) and 0.5 → 1 at 0.7 (precision 2/3): 0.5·1 + 0.5·2/3.
  close(averagePrecision(hand()), 0.5 + 0.5 * (2 / 3));
});

test('ROC-AUC: share of positive/negative pairs ranked right, ties count one half', () => {
  // 0.9 beats all three negatives, 0.7 beats 0.6 and 0.5: 5 of 6 pairs.
  close(rocAuc(hand()), 5 / 6);
  // Tie: positive 0.5 vs negatives 0.5 (tie = ½) and 0.2 (win = 1): 1.5 / 2.
  const c = curveOf(prepareScored([0.5, 0.5, 0.2], [1, 0, 0], ones(3)));
  close(rocAuc(c), 0.75);
  // AP with the tie: one threshold run at 0.5 catches the positive at precision ½.
  close(averagePrecision(c), 0.5);
  const r = rocCurve(c);
  assert.deepEqual([...r.fpr], [0, 0.5, 1]);
  assert.deepEqual([...r.tpr], [0, 1, 1]);
});

test('partial AUC to FPR 1/3: raw area and McClish standardisation', () => {
  // ROC: (0,0) (0,.5) (1/3,.5) (1/3,1) ... area over [0, 1/3] = 1/3 · 0.5 = 1/6.
  // McClish: ½(1 + (1/6 − 1/18)/(1/3 − 1/18)) = ½(1 + 2/5) = 0.7.
  const p = partialAuc(hand(), 1 / 3);
  close(p.raw, 1 / 6);
  close(p.mcclish, 0.7);
  // Interpolation inside a segment: FPR cut at 1/6 of the flat segment at TPR .5 → area 1/12.
  close(partialAuc(hand(), 1 / 6).raw, 1 / 12);
});

test('recall at FPR picks the threshold with weighted FPR <= target', () => {
  // One negative allowed (FPR 1/3): threshold 0.7 catches both positives.
  assert.deepEqual(recallAtFpr(hand(), 1 / 3), { value: 1, threshold: 0.7 });
  // No negative allowed: threshold 0.9, recall ½.
  assert.deepEqual(recallAtFpr(hand(), 0), { value: 0.5, threshold: 0.9 });
  // FPR 0.3 < 1/3: still only the top positive.
  assert.equal(recallAtFpr(hand(), 0.3).value, 0.5);
});

test('precision in the top share by weighted volume, tie runs pro rata', () => {
  close(precisionAtTop(hand(), 0.2).value, 1);       // top 1 row: positive
  close(precisionAtTop(hand(), 0.4).value, 0.5);     // top 2 rows: 1 of 2
  close(precisionAtTop(hand(), 0.3).value, 1 / 1.5); // 1.5 rows: the first, then half a negative
  // A weight-3 negative at the top: the top 25% of volume (1 of 4 weight) is all negative.
  close(precisionAtTop(curveOf(prepareScored([0.9, 0.1], [0, 1], [3, 1])), 0.25).value, 0);
  // Tie run of (1 pos, 1 neg) cut in half: expected precision ½.
  close(precisionAtTop(curveOf(prepareScored([0.5, 0.5, 0.1, 0.1], [1, 0, 0, 0], ones(4))), 0.25).value, 0.5);
});

test('F2 at its best threshold', () => {
  // At 0.7: P = 2/3, R = 1 → 5·(2/3)/(4·2/3 + 1) = 10/11, better than 0.9 (5/9) and 0.5 (10/13).
  const f = bestFBeta(hand(), 2);
  close(f.value, 10 / 11);
  assert.equal(f.threshold, 0.7);
});

test('ECE (equal mass), Brier and log-loss by hand', () => {
  // Two bins of two rows: {0.1→0, 0.1→1} (|0.1 − 0.5| = 0.4) and {0.9→1, 0.9→1} (0.1): ECE 0.25.
  const p = prepareScored([0.1, 0.1, 0.9, 0.9], [0, 1, 1, 1], ones(4));
  close(ece(p, 2), 0.25);
  close(brier(p), (0.01 + 0.81 + 0.01 + 0.01) / 4);
  close(logLoss(p), -(3 * Math.log(0.9) + Math.log(0.1)) / 4);
});

test('undefined metrics are NaN, not an exception, and bad input names the field', () => {
  const c = curveOf(prepareScored([0.3, 0.2], [0, 0], ones(2)));
  assert.ok(Number.isNaN(averagePrecision(c)) && Number.isNaN(rocAuc(c)));
  assert.throws(() => prepareScored([0.1, NaN], [0, 1], ones(2)), (e: unknown) => e instanceof VigilError && e.field === 'scores' && e.row === 1);
  assert.throws(() => prepareScored([0.1, 0.2], [0, 2], ones(2)), (e: unknown) => e instanceof VigilError && e.field === 'labels');
  assert.throws(() => prepareScored([0.1, 0.2], [0, 1], [1, -1]), (e: unknown) => e instanceof VigilError && e.field === 'weights');
  assert.throws(() => prepareScored([0.1, 0.2], [0], ones(2)), /labels/);
});

function synthetic(n: number, seed: number, intWeights: boolean) {
  const rng = createRng(seed);
  const s = new Float64Array(n), y = new Int8Array(n), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.2 ? 1 : 0;
    // Rounded scores create ties on purpose.
    s[i] = Math.round(1000 / (1 + Math.exp(-(rng.normal() + 1.5 * y[i] - 1)))) / 1000;
    w[i] = intWeights ? 1 + rng.int(3) : 0.2 + rng.next() * 3;
  }
  return { s, y, w };
}

test('weighted rows equal replicated rows for every threshold and probability metric', () => {
  const { s, y, w } = synthetic(400, 5, true);
  const rs: number[] = [], ry: number[] = [];
  for (let i = 0; i < s.length; i++) for (let k = 0; k < w[i]; k++) { rs.push(s[i]); ry.push(y[i]); }
  const pw = prepareScored(s, y, w), pr = prepareScored(rs, ry, ones(rs.length));
  const cw = curveOf(pw), cr = curveOf(pr);
  close(averagePrecision(cw), averagePrecision(cr), 1e-12);
  close(rocAuc(cw), rocAuc(cr), 1e-12);
  close(partialAuc(cw, 0.05).raw, partialAuc(cr, 0.05).raw, 1e-12);
  for (const t of [0.005, 0.01, 0.02, 0.1]) assert.deepEqual(recallAtFpr(cw, t), recallAtFpr(cr, t));
  for (const t of [0.005, 0.01, 0.02, 0.1]) close(precisionAtTop(cw, t).value, precisionAtTop(cr, t).value, 1e-12);
  close(bestFBeta(cw).value, bestFBeta(cr).value, 1e-12);
  close(brier(pw), brier(pr), 1e-12);
  close(logLoss(pw), logLoss(pr), 1e-12);
  // (ECE is left out: a weight-3 row sits in one bin while its three copies may straddle a boundary.)
});

test('AP, ROC-AUC, pAUC, recall@FPR, F2, Brier and log-loss match scikit-learn on the same weighted scores', (t) => {
  if (!sklearnAvailable()) { t.skip(SKLEARN_SKIP); return; }
  const { s, y, w } = synthetic(600, 9, false);
  const script = [
    'import json, sys',
    'import numpy as np',
    'from sklearn.metrics import average_precision_score, roc_auc_score, brier_score_loss, log_loss, roc_curve, precision_recall_curve',
    'd = json.load(sys.stdin)',
    'fpr, tpr, _ = roc_curve(d["y"], d["s"], sample_weight=d["w"], drop_intermediate=False)',
    'p, r, _ = precision_recall_curve(d["y"], d["s"], sample_weight=d["w"])',
    'f2 = np.where(4 * p + r > 0, 5 * p * r / np.maximum(4 * p + r, 1e-300), 0)',
    'print(json.dumps({',
    ' "ap": average_precision_score(d["y"], d["s"], sample_weight=d["w"]),',
    ' "auc": roc_auc_score(d["y"], d["s"], sample_weight=d["w"]),',
    ' "pauc": roc_auc_score(d["y"], d["s"], sample_weight=d["w"], max_fpr=0.02),',
    ' "pauc10": roc_auc_score(d["y"], d["s"], sample_weight=d["w"], max_fpr=0.1),',
    ' "brier": brier_score_loss(d["y"], d["s"], sample_weight=d["w"]),',
    ' "logloss": log_loss(d["y"], d["s"], sample_weight=d["w"]),',
    ' "ap_unw": average_precision_score(d["y"], d["s"]),',
    ' "auc_unw": roc_auc_score(d["y"], d["s"]),',
    ' "rec": {str(t): float(tpr[fpr <= t + 1e-12].max()) for t in (0.005, 0.01, 0.02, 0.1)},',
    ' "f2": float(f2.max()),',
    '}))',
  ].join('\n');
  const ref = runPythonJson(script, { s: [...s], y: [...y], w: [...w] }) as Record<string, number>;
  const p = prepareScored(s, y, w), c = curveOf(p);
  const cu = curveOf(prepareScored(s, y, ones(s.length)));
  close(averagePrecision(c), ref.ap, 1e-10);
  close(rocAuc(c), ref.auc, 1e-10);
  close(partialAuc(c, 0.02).mcclish, ref.pauc, 1e-10);
  close(partialAuc(c, 0.1).mcclish, ref.pauc10, 1e-10);
  close(brier(p), ref.brier, 1e-10);
  close(logLoss(p), ref.logloss, 1e-10);
  close(averagePrecision(cu), ref.ap_unw, 1e-10);
  const rec = ref.rec as unknown as Record<string, number>;
  for (const t of [0.005, 0.01, 0.02, 0.1]) close(recallAtFpr(c, t).value, rec[String(t)], 1e-10);
  close(bestFBeta(c, 2).value, ref.f2, 1e-10);
  close(rocAuc(cu), ref.auc_unw, 1e-10);
});
