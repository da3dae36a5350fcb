// Measures the evaluation, calibration and policy code on synthetic data with a known truth.
// Run after `npx tsc -b`:  node scripts/measure-eval.mjs   (numbers quoted in docs/evaluation.md)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const lib = require('../lib/dist/src/index.js');
const { createRng, evaluate, choosePolicy, evaluatePolicy, fitCalibratorWithSelection, applyCalibrator, reliabilityDiagram } = lib;

const sigmoid = (x) => 1 / (1 + Math.exp(-x));
/**
 * Uploads at prevalence 0.35% from creators of ~5 uploads; a creator effect u ~ N(0, 0.5²) shifts
 * every score of that creator. Score x = u + N(0, 1.2²) + 4·y, so about 90% recall at 2% FPR.
 * Negatives are stored at keep rate 0.25 with weight 4 (as the dataset does).
 */
function population(n, seed) {
  const rng = createRng(seed);
  const s = [], y = [], w = [], g = [];
  let creator = 0, u = 0;
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) { creator++; u = 0.5 * rng.normal(); }
    const yi = rng.next() < 0.0035 ? 1 : 0;
    if (yi === 0 && rng.next() >= 0.25) continue;
    const x = u + 1.2 * rng.normal() + 4 * yi;
    s.push(x); y.push(yi); w.push(yi ? 1 : 4); g.push(creator);
  }
  return { s, y, w, g };
}

const t0 = Date.now();
const big = population(400000, 1);
const probs = big.s.map((x) => sigmoid(x - 9));
let t = Date.now();
const block = evaluate(probs, big.y, big.w, big.g, { bootstrap: 200, seed: 1 });
console.log(`evaluate: ${big.s.length} rows, ${block.positives} positives, ${block.bootstrap.groups} groups, 200 resamples: ${((Date.now() - t) / 1000).toFixed(1)} s`);
const show = (k, v) => console.log(`  ${k.padEnd(22)} ${v.value?.toFixed(4)}  [${v.ci?.map((x) => x.toFixed(4)).join(', ')}]`);
show('ap', block.ap); show('roc_auc', block.roc_auc); show('pauc_002 (McClish)', block.pauc_002);
show('recall@fpr 0.02', block.recall_at_fpr['0.02']); show('precision@top 0.01', block.precision_at_top['0.01']);
console.log('  meets:', JSON.stringify(Object.fromEntries(Object.entries(block.meets).map(([k, v]) => [k, { value: +v.value.toFixed(4), ci_low: +v.ci_low.toFixed(4), met: v.met }]))));

// Calibration: fit on one population sample, judge on another; the raw logit is miscalibrated.
const calib = population(200000, 2), test = population(200000, 3);
const raw = (d) => d.s.map((x) => 1.8 * x - 4);  // overconfident and off-centre
t = Date.now();
const { calibrator, selection } = fitCalibratorWithSelection(raw(calib), calib.y, calib.w, { methods: ['platt', 'isotonic', 'temperature'], negativeKeepRate: 1, groups: calib.g, seed: 1 });
console.log(`calibration fit (${calib.s.length} rows, 3 methods, 2-fold cross-fit): ${((Date.now() - t) / 1000).toFixed(1)} s; chosen ${selection.chosen}`);
for (const [m, c] of Object.entries(selection.candidates)) console.log(`  ${m.padEnd(12)} held-out log-loss ${c.heldout_logloss.toFixed(5)}`);
console.log(`  uncalibrated held-out log-loss ${selection.uncalibrated.heldout_logloss.toFixed(5)}`);
const before = evaluate(raw(test).map(sigmoid), test.y, test.w, test.g, { bootstrap: 100, seed: 2 });
const calibrated = applyCalibrator(calibrator, raw(test));
const after = evaluate(calibrated, test.y, test.w, test.g, { bootstrap: 100, seed: 2 });
console.log(`  test ECE before ${before.ece.value.toFixed(5)} [${before.ece.ci.map((x) => x.toFixed(5))}] → after ${after.ece.value.toFixed(5)} [${after.ece.ci.map((x) => x.toFixed(5))}]`);
console.log(`  test log-loss before ${before.logloss.value.toFixed(5)} → after ${after.logloss.value.toFixed(5)}; Brier ${before.brier.value.toFixed(6)} → ${after.brier.value.toFixed(6)}`);
const rd = reliabilityDiagram(calibrated, test.y, test.w, 10);
console.log('  reliability (mean predicted → observed):', rd.bins.map((b) => `${b.mean_pred.toExponential(1)}→${b.observed.toExponential(1)}`).join(' '));

// Policy on the calibration set with the default constraints, then on the test set.
const calProbs = applyCalibrator(calibrator, raw(calib));
t = Date.now();
const pol = choosePolicy(calProbs, calib.y, calib.w, {}, { groups: calib.g });
console.log(`policy (${calib.s.length} rows, 200 resamples for CIs): ${((Date.now() - t) / 1000).toFixed(1)} s; feasible=${pol.feasible}; queue ${pol.queue_threshold.toPrecision(4)} block ${pol.block_threshold.toPrecision(4)}`);
for (const b of pol.binding) console.log(`  [${b.kind}] ${b.statement}`);
if (pol.compromise) {
  console.log(`  compromise: ${pol.compromise.statement}`);
  for (const a of pol.compromise.alternatives) console.log(`    give up ${a.give_up}: queue ${a.queue_threshold.toPrecision(4)} block ${a.block_threshold.toPrecision(4)} recall ${a.achieved.recall?.toFixed(3)} queue_share ${a.achieved.queue_share?.toFixed(4)} block_precision ${a.achieved.block_precision?.toFixed(3)} violated ${a.violated.join(',')}`);
}
const ev = evaluatePolicy(pol, calibrated, test.y, test.w, test.g, { bootstrap: 200, seed: 3 });
for (const [k, v] of Object.entries(ev.checks)) console.log(`  test ${k.padEnd(16)} ${v.value?.toFixed(4)} [${v.ci?.map((x) => x.toFixed(4)).join(', ')}] required ${v.required} met=${v.met} met_with_ci=${v.met_with_ci}`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// Coverage: how often the 95% ROC-AUC interval contains the population value Φ(μ/√(2(1+s²))).
{
  const phi = (x) => { const z = Math.abs(x) / Math.SQRT2, k = 1 / (1 + 0.3275911 * z); const e = 1 - k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z); return x >= 0 ? (1 + e) / 2 : (1 - e) / 2; };
  const reps = 100, G = 60, size = 20, mu = 1.2, sd = 1.5;
  const truth = phi(mu / Math.sqrt(2 * (1 + sd * sd)));
  let cg = 0, cr = 0, wg = 0, wr = 0;
  for (let r = 0; r < reps; r++) {
    const rng = createRng(500 + r), n = G * size;
    const sc = new Float64Array(n), y = new Int8Array(n), g = new Int32Array(n), w = new Float64Array(n).fill(1);
    for (let k = 0; k < G; k++) { const u = sd * rng.normal(); for (let j = 0; j < size; j++) { const i = k * size + j; y[i] = rng.next() < 0.15 ? 1 : 0; sc[i] = u + mu * y[i] + rng.normal(); g[i] = k; } }
    const a = evaluate(sc, y, w, g, { bootstrap: 200, seed: r }).roc_auc, b = evaluate(sc, y, w, null, { bootstrap: 200, seed: r }).roc_auc;
    if (a.ci[0] <= truth && truth <= a.ci[1]) cg++;
    if (b.ci[0] <= truth && truth <= b.ci[1]) cr++;
    wg += (a.ci[1] - a.ci[0]) / reps; wr += (b.ci[1] - b.ci[0]) / reps;
  }
  console.log(`ROC-AUC 95% CI coverage, ${reps} datasets of ${G} creators x ${size} uploads (creator effect sd ${sd}): group bootstrap ${cg}/${reps} (mean width ${wg.toFixed(4)}), row bootstrap ${cr}/${reps} (mean width ${wr.toFixed(4)})`);
}
