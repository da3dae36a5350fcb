import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateWithDraws, type MetricBlock } from '../../src/eval/evaluate.js';
import { prepareScored, curveOf } from '../../src/stats/curves.js';
import { rocAuc } from '../../src/stats/metrics.js';
import { groupBootstrap, drawGroupMultipliers, quantileSorted } from '../../src/stats/bootstrap.js';
import { createRng } from '../../src/util/rng.js';
import { containsNaN } from '../helpers.js';
import { evaluateAgainstTruth } from '../../src/eval/truth.js';

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Creators of `size` uploads share a random score offset u ~ N(0, s²); score = u + μ·y + ε. Between
 * a random positive and a random negative (different creators almost surely) the score difference
 * is N(μ, 2(1 + s²)), so the population ROC-AUC is Φ(μ / √(2(1 + s²))).
 */
function clustered(nGroups: number, size: number, seed: number, mu = 1.2, s = 1) {
  const rng = createRng(seed);
  const n = nGroups * size;
  const sc = new Float64Array(n), y = new Int8Array(n), g = new Int32Array(n);
  for (let k = 0; k < nGroups; k++) {
    const u = s * rng.normal();
    for (let j = 0; j < size; j++) {
      const i = k * size + j;
      y[i] = rng.next() < 0.15 ? 1 : 0;
      sc[i] = u + mu * y[i] + rng.normal();
      g[i] = 1000 + 7 * k;
    }
  }
  return { sc, y, g, w: new Float64Array(n).fill(1), truth: phi(mu / Math.sqrt(2 * (1 + s * s))) };
}

test('group multipliers: G draws in total, deterministic per seed', () => {
  const a = drawGroupMultipliers(50, createRng(3));
  const b = drawGroupMultipliers(50, createRng(3));
  assert.deepEqual(a, b);
  assert.equal(a.reduce((x, y) => x + y, 0), 50);
  assert.equal(quantileSorted(Float64Array.from([1, 2, 3, 4, 5]), 0.25), 2);
});

test('group-bootstrap ROC-AUC interval covers the truth at about the nominal rate', () => {
  let covered = 0;
  const reps = 40;
  for (let r = 0; r < reps; r++) {
    const d = clustered(60, 20, 100 + r);
    const prep = prepareScored(d.sc, d.y, d.w, d.g);
    const boot = groupBootstrap(prep, (m) => ({ auc: rocAuc(curveOf(prep, m)) }), { resamples: 150, seed: r });
    const [lo, hi] = boot.ci.auc!;
    if (lo <= d.truth && d.truth <= hi) covered++;
  }
  // 95% nominal; with 40 replications anything below ~85% would be a real miss.
  assert.ok(covered / reps >= 0.85, `coverage ${covered}/${reps}`);
});

test('evaluate: contract keys, finite intervals around the value, deterministic for a seed', () => {
  const d = clustered(80, 25, 7);
  const probs = Float64Array.from(d.sc, (x) => 1 / (1 + Math.exp(-(x - 2))));
  const a = evaluate(probs, d.y, d.w, d.g, { bootstrap: 60, seed: 4 });
  const b = evaluate(probs, d.y, d.w, d.g, { bootstrap: 60, seed: 4 });
  const c = evaluate(probs, d.y, d.w, d.g, { bootstrap: 60, seed: 5 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.ap.ci, c.ap.ci);
  for (const k of ['n', 'positives', 'ap', 'roc_auc', 'recall_at_fpr', 'precision_at_top', 'ece', 'brier', 'pauc_002', 'f2', 'logloss', 'meets']) {
    assert.ok(k in a, `missing ${k}`);
  }
  assert.deepEqual(Object.keys(a.recall_at_fpr), ['0.005', '0.01', '0.02']);
  assert.deepEqual(Object.keys(a.precision_at_top), ['0.005', '0.01', '0.02']);
  assert.equal(a.n, 2000);
  assert.equal(a.bootstrap.unit, 'group');
  assert.equal(a.bootstrap.groups, 80);
  const check = (v: { value: number | null; ci: [number, number] | null }, name: string) => {
    assert.ok(v.value !== null && v.ci !== null, name);
    assert.ok(v.ci![0] <= v.ci![1], name);
  };
  check(a.ap, 'ap'); check(a.roc_auc, 'auc'); check(a.ece, 'ece'); check(a.f2, 'f2');
  check(a.recall_at_fpr['0.02'], 'recall'); check(a.precision_at_top['0.01'], 'prec');
  assert.ok(a.roc_auc.ci![0] < a.roc_auc.value! && a.roc_auc.value! < a.roc_auc.ci![1]);
  assert.equal(containsNaN(a), false);
});

test('a criterion is met only when its CI lower bound reaches the target', () => {
  const d = clustered(80, 25, 8, 3.5, 0.3);
  const block: MetricBlock = evaluate(d.sc, d.y, d.w, d.g, {
    bootstrap: 80, seed: 1,
    criteria: [
      { metric: 'recall_at_fpr', at: 0.02, min: 0 },
      { metric: 'precision_at_top', at: 0.03, min: 0.1 },
    ],
  });
  for (const v of Object.values(block.meets)) assert.equal(v.met, v.ci_low !== null && v.ci_low >= v.target);
  assert.equal(block.meets['recall_at_fpr@0.02'].met, true);
  // An operating point outside the configured list is added to the block.
  assert.ok('0.03' in block.precision_at_top);
  assert.throws(() => evaluate(d.sc, d.y, d.w, d.g, { criteria: [{ metric: 'recall_at_fpr', at: 0.02, min: 1.5 }] }), /criteria\.0\.min/);
  // Set the target between the CI lower bound and the point: the point meets it, the verdict does not.
  const r = block.recall_at_fpr['0.02'];
  assert.ok(r.ci![0] < r.value!, 'the interval must have width for this check');
  const mid = (r.ci![0] + r.value!) / 2;
  const again = evaluate(d.sc, d.y, d.w, d.g, { bootstrap: 80, seed: 1, criteria: [{ metric: 'recall_at_fpr', at: 0.02, min: mid }] });
  assert.equal(again.meets['recall_at_fpr@0.02'].point_met, true);
  assert.equal(again.meets['recall_at_fpr@0.02'].met, false);
  // Raw scores (not probabilities): calibration metrics are null, not NaN.
  assert.equal(block.probabilities, false);
  assert.equal(block.ece.value, null);
});

test('group bootstrap is wider than row bootstrap when creators are correlated', () => {
  const d = clustered(60, 30, 21, 1.2, 1.5);
  const g = evaluate(d.sc, d.y, d.w, d.g, { bootstrap: 150, seed: 2 });
  const r = evaluate(d.sc, d.y, d.w, null, { bootstrap: 150, seed: 2 });
  const width = (b: MetricBlock) => b.roc_auc.ci![1] - b.roc_auc.ci![0];
  assert.equal(r.bootstrap.unit, 'row');
  assert.ok(width(g) > 1.3 * width(r), `group ${width(g)} vs row ${width(r)}`);
});

test('empty input gives nulls, not NaN', () => {
  const e = evaluate([], [], [], [], { bootstrap: 20 });
  assert.equal(e.n, 0);
  assert.equal(e.ap.value, null);
  assert.equal(e.recall_at_fpr['0.02'].value, null);
  assert.equal(e.meets['recall_at_fpr@0.02'].met, false);
  assert.equal(containsNaN(e), false);
});

test('interval width shrinks like 1/sqrt(groups) with 4x the data', () => {
  const width = (nGroups: number) => {
    const d = clustered(nGroups, 20, 31);
    const b = evaluate(d.sc, d.y, d.w, d.g, { bootstrap: 150, seed: 6 });
    return b.roc_auc.ci![1] - b.roc_auc.ci![0];
  };
  const ratio = width(40) / width(160);
  // Expected 2; the bootstrap estimate of a width is itself noisy.
  assert.ok(ratio > 1.5 && ratio < 2.7, `width ratio ${ratio}`);
});

test('oracle and true-label blocks next to observed-label blocks', () => {
  const d = clustered(40, 20, 41);
  const rng = createRng(1);
  const observed = Array.from(d.y, (v) => (rng.next() < 0.1 ? 1 - v : v));
  const oracle = Float64Array.from(d.sc, (x) => 1 / (1 + Math.exp(-x))); // stands in for the generator's own probability
  const r = evaluateAgainstTruth(d.sc, observed, d.y, oracle, d.w, d.g, { bootstrap: 30 });
  // Label noise can only hide signal: the same scores rank the true labels better.
  assert.ok(r.true_labels.roc_auc.value! > r.observed.roc_auc.value!);
  assert.equal(r.oracle.true_labels.n, d.y.length);
  assert.throws(() => evaluateAgainstTruth(d.sc, observed, d.y, [1], d.w, d.g), /oracleP/);
});

test('string creator ids work as groups and match the same grouping by number', () => {
  const d = clustered(30, 10, 51);
  const names = Array.from(d.g, (g) => `creator-${g}`);
  const a = evaluate(d.sc, d.y, d.w, d.g, { bootstrap: 40, seed: 9 });
  const b = evaluate(d.sc, d.y, d.w, names, { bootstrap: 40, seed: 9 });
  assert.deepEqual(a, b);
});

test('draws: resample order is shared across models, so paired differences are exact; percentiles are the CI', () => {
  const { sc, y, g } = clustered(300, 4, 21);
  const w = new Float64Array(sc.length).fill(1);
  const a = evaluateWithDraws(sc, y, w, g, { bootstrap: 120, seed: 5 });
  // A monotone transform ranks identically: every rank metric agrees resample by resample.
  const b = evaluateWithDraws(Float64Array.from(sc, (s) => 1 / (1 + Math.exp(-s))), y, w, g, { bootstrap: 120, seed: 5 });
  assert.equal(a.draws.ap.length, 120);
  assert.deepEqual(Array.from(b.draws.ap), Array.from(a.draws.ap));
  assert.deepEqual(Array.from(b.draws['recall_at_fpr.0.02']), Array.from(a.draws['recall_at_fpr.0.02']));
  // A different seed draws other resamples.
  const c = evaluateWithDraws(sc, y, w, g, { bootstrap: 120, seed: 6 });
  assert.notDeepEqual(Array.from(c.draws.ap), Array.from(a.draws.ap));
  // Threshold keys are not metrics; every listed metric path exists in the block.
  assert.ok(!Object.keys(a.draws).some((k) => k.includes('thr')));
  for (const k of ['ap', 'roc_auc', 'pauc_002', 'recall_at_fpr.0.02', 'precision_at_top.0.01', 'f2']) assert.ok(k in a.draws, k);
  const sorted = Float64Array.from(a.draws.ap).sort();
  assert.deepEqual(a.block.ap.ci, [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)]);
  assert.deepEqual(evaluate(sc, y, w, g, { bootstrap: 120, seed: 5 }), a.block);

  // A different ranking: only the first creator's rows (group g[0], dense id 0) get new scores. On
  // every resample that does not draw that creator the two models see identical data, so their
  // values must match exactly — which holds only if resample k draws the same creators for both.
  const changed = Float64Array.from(sc, (s, i) => (g[i] === g[0] ? 10 - s : s));
  const d = evaluateWithDraws(changed, y, w, g, { bootstrap: 120, seed: 5 });
  const rng = createRng(5);
  let without = 0, differs = 0;
  for (let k = 0; k < 120; k++) {
    const m = drawGroupMultipliers(300, rng);
    if (m[0] === 0) { without++; assert.equal(d.draws.ap[k], a.draws.ap[k], `resample ${k}`); } else if (d.draws.ap[k] !== a.draws.ap[k]) differs++;
  }
  assert.ok(without > 20 && differs > 0, `${without} resamples without the creator, ${differs} differing with it`);
});
