import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePolicy, actionFor } from '../../src/policy/choose.js';
import { evaluatePolicy } from '../../src/policy/evaluatePolicy.js';
import { thresholdSweep } from '../../src/policy/sweep.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { containsNaN } from '../helpers.js';

/*
 * Hand case, total weight 100, P = 5, N = 95. Cumulative by threshold:
 *   thr   tp fp  volume recall  FPR     precision
 *   0.99  1  0   .01    .2      0       1
 *   0.95  2  0   .02    .4      0       1
 *   0.90  2  1   .03    .4      1/95    .667
 *   0.80  3  1   .04    .6      1/95    .75
 *   0.70  4  1   .05    .8      1/95    .8
 *   0.60  4  2   .06    .8      2/95    .667
 *   0.50  5  2   .07    1       2/95    .714
 *   0.40  5  3   .08    1       3/95
 *   0.10  5  95  1      1       1
 */
const S = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1];
const Y = [1, 1, 0, 1, 1, 0, 1, 0, 0];
const W = [1, 1, 1, 1, 1, 1, 1, 1, 92];
const base = { minRecall: 0.8, maxFpr: 0.02, queueCapacity: 0.03, minBlockPrecision: 0.9, minTopPrecision: 0.25, topShare: 0.02, bootstrap: 0 };
const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('feasible: smallest flagged set for recall, smallest BLOCK set that fits the queue', () => {
  // Recall .8 first reached at 0.70 (FPR 1/95 ≤ .02) → 5% flagged; capacity 3% → ≥ 2% blocked;
  // the top 2% (threshold 0.95) has precision 1 ≥ .9.
  const p = choosePolicy(S, Y, W, base);
  assert.equal(p.queue_threshold, 0.7);
  assert.equal(p.block_threshold, 0.95);
  assert.equal(p.block_enabled, true);
  assert.equal(p.feasible, true);
  assert.equal(p.compromise, null);
  close(p.achieved.recall.value, 0.8);
  close(p.achieved.queue_share.value, 0.03);
  close(p.achieved.block_share.value, 0.02);
  close(p.achieved.block_precision.value, 1);
  close(p.achieved.top_precision.value, 1);
  assert.equal(p.constraint_status.recall.binding, true);
  assert.equal(p.constraint_status.queue_capacity.binding, true);
  assert.ok(p.binding.some((b) => b.kind === 'binding' && /must be auto-blocked/.test(b.statement)));
  assert.match(p.version, /^policy-[0-9a-f]{12}$/);
  assert.equal(containsNaN(p), false);
  // Enough capacity: nothing needs auto-blocking.
  const roomy = choosePolicy(S, Y, W, { ...base, queueCapacity: 0.05 });
  assert.equal(roomy.block_enabled, false);
  assert.equal(roomy.queue_threshold, 0.7);
  assert.equal(actionFor(roomy, 0.99), 'QUEUE');
  assert.equal(actionFor(p, 0.99), 'BLOCK');
  assert.equal(actionFor(p, 0.8), 'QUEUE');
  assert.equal(actionFor(p, 0.69), 'ALLOW');
});

test('infeasible: capacity vs BLOCK precision conflict is reported, with the compromise and alternatives', () => {
  // Capacity 1%: 5% flagged needs ≥ 4% blocked, where precision is at most .8 < .9.
  const p = choosePolicy(S, Y, W, { ...base, queueCapacity: 0.01 });
  assert.equal(p.feasible, false);
  const conflict = p.binding.find((b) => b.kind === 'conflict');
  assert.ok(conflict && conflict.constraint === 'block_precision', JSON.stringify(p.binding));
  assert.match(conflict!.statement, /needs 5\.00% of uploads flagged but QUEUE capacity is 1\.00% → at least 4\.00% must be auto-blocked/);
  assert.match(conflict!.statement, /precision 0\.800 < required 0\.9/);
  // Default priority fpr > queue_capacity > block_precision > recall: recall is given up, only as
  // far as needed — the most recall that fits 1% of queue above a precision-1 BLOCK set.
  assert.deepEqual(p.compromise!.given_up, ['recall']);
  assert.equal(p.queue_threshold, 0.95);
  assert.equal(p.block_threshold, 0.99);
  close(p.achieved.recall.value, 0.4);
  close(p.achieved.queue_share.value, 0.01);
  const alt = Object.fromEntries(p.compromise!.alternatives.map((a) => [a.give_up, a]));
  assert.deepEqual(alt.recall.violated, ['recall']);
  assert.equal(alt.recall.queue_threshold, 0.95);
  // Giving up capacity: keep recall and precision, the queue overflows to 3%.
  assert.equal(alt.queue_capacity.block_threshold, 0.95);
  close(alt.queue_capacity.achieved.queue_share, 0.03);
  // Giving up BLOCK precision: of the BLOCK sets that fit capacity (0.80 at .75, 0.70 at .8) the
  // more precise one — here that blocks the whole flagged set.
  assert.equal(alt.block_precision.queue_threshold, 0.7);
  assert.equal(alt.block_precision.block_threshold, 0.7);
  close(alt.block_precision.achieved.block_precision, 0.8);
  // The priority order is a setting: keep recall above BLOCK precision.
  const q = choosePolicy(S, Y, W, { ...base, queueCapacity: 0.01, priority: ['fpr', 'recall', 'queue_capacity', 'block_precision'] });
  assert.deepEqual(q.compromise!.given_up, ['block_precision']);
  assert.equal(q.queue_threshold, 0.7);
  assert.equal(q.block_threshold, 0.7);
  close(q.achieved.queue_share.value, 0);
});

test('infeasible safety and top-share shortfall are reported, never thrown', () => {
  // Recall 1 needs FPR 2/95 > .02; within FPR .02 the best recall is .8.
  const p = choosePolicy(S, Y, W, { ...base, minRecall: 1, minTopPrecision: 0.9, topShare: 0.05 });
  assert.equal(p.feasible, false);
  const safety = p.binding.find((b) => b.constraint === 'recall' && b.kind === 'conflict');
  assert.match(safety!.statement, /recall 1 needs FPR 2\.11%.*best recall is 0\.800/);
  assert.equal(p.queue_threshold, 0.7);
  assert.ok(p.compromise!.given_up.includes('recall'));
  assert.ok(p.compromise!.given_up.includes('top_precision'));
  assert.ok(p.binding.some((b) => b.constraint === 'top_precision' && /no threshold choice changes it/.test(b.statement)));
  // Random constraints on random data: always a policy, never an exception.
  const rng = createRng(4);
  const n = 500;
  const s = Array.from({ length: n }, () => rng.next()), y = s.map((v) => (rng.next() < v * v * 0.2 ? 1 : 0));
  for (let k = 0; k < 60; k++) {
    const cfg = { minRecall: rng.next(), maxFpr: rng.next() * 0.1, queueCapacity: rng.next() * 0.05, minBlockPrecision: rng.next(), minTopPrecision: rng.next(), topShare: rng.next() * 0.1, bootstrap: 0 };
    const r = choosePolicy(s, y, s.map(() => 1), cfg);
    assert.ok(r.queue_threshold <= r.block_threshold || !r.block_enabled);
    assert.equal(r.feasible, Object.values(r.constraint_status).every((c) => c.met));
  }
  assert.throws(() => choosePolicy([0.1, 0.2], [0, 0], [1, 1], base), (e: unknown) => e instanceof VigilError && e.field === 'labels');
  assert.throws(() => choosePolicy(S, Y, W, { ...base, queueCapacity: 2 }), (e: unknown) => e instanceof VigilError && e.field === 'queueCapacity');
  assert.throws(() => choosePolicy(S, Y, W, { ...base, priority: ['fpr', 'fpr', 'recall', 'queue_capacity'] }), (e: unknown) => e instanceof VigilError && e.field === 'priority');
});

test('per-category thresholds and category recall', () => {
  const tags = [['csam_like'], ['violence'], [], ['violence'], ['violence'], [], ['csam_like'], [], []];
  const p = choosePolicy(S, Y, W, { ...base, perCategoryBlock: { csam_like: 0.5 } }, { tags });
  // Stricter category: blocks from 0.5 (both csam_like positives, 0.99 and 0.5, blocked).
  assert.deepEqual(p.per_category.csam_like, { block_threshold: 0.5, queue_threshold: 0.5, positives: 2, recall_flagged: 1, recall_blocked: 1 });
  // Under the global policy (queue 0.7, block 0.95): csam_like 0.99 blocked, 0.5 allowed.
  assert.deepEqual(p.category_recall.csam_like, { positives: 2, recall_flagged: 0.5, recall_blocked: 0.5 });
  assert.deepEqual(p.category_recall.violence, { positives: 3, recall_flagged: 1, recall_blocked: 1 / 3 });
});

test('evaluatePolicy: same data reproduces achieved numbers; CIs with groups', () => {
  const p = choosePolicy(S, Y, W, base);
  const e = evaluatePolicy(p, S, Y, W, null);
  assert.deepEqual(e.achieved, p.achieved);
  assert.equal(e.checks.recall.met, true);
  assert.equal(e.checks.recall.met_with_ci, null);
  // On a shifted set every score drops below the QUEUE threshold except two positives.
  const e2 = evaluatePolicy(p, [0.96, 0.75, 0.3, 0.2], [1, 1, 1, 0], [1, 1, 1, 1], null);
  close(e2.achieved.recall.value, 2 / 3);
  close(e2.achieved.block_share.value, 0.25);
  assert.equal(e2.checks.recall.met, false);
  // With groups: intervals around the values, deterministic.
  const rng = createRng(8);
  const n = 3000;
  const s = Array.from({ length: n }, () => rng.next());
  const y = s.map((v) => (rng.next() < Math.pow(v, 8) ? 1 : 0));
  const g = s.map((_, i) => i % 400);
  const pol = choosePolicy(s, y, s.map(() => 1), { ...base, minRecall: 0.5, maxFpr: 0.2, queueCapacity: 0.1, minBlockPrecision: 0.5, bootstrap: 50 }, { groups: g });
  assert.ok(pol.achieved.recall.ci && pol.achieved.recall.ci[0] <= pol.achieved.recall.value! && pol.achieved.recall.value! <= pol.achieved.recall.ci[1]);
  const ev = evaluatePolicy(pol, s, y, s.map(() => 1), g, { bootstrap: 50, seed: 3 });
  assert.deepEqual(ev, evaluatePolicy(pol, s, y, s.map(() => 1), g, { bootstrap: 50, seed: 3 }));
  assert.equal(typeof ev.checks.recall.met_with_ci, 'boolean');
});

test('threshold sweep: hand rows, and log-spaced thinning over the whole range', () => {
  const rows = thresholdSweep(S, Y, W);
  assert.equal(rows.length, 9);
  assert.deepEqual(rows[4], { threshold: 0.7, volume: 0.05, precision: 0.8, recall: 0.8, fpr: 1 / 95 });
  const rng = createRng(1);
  const s = Array.from({ length: 5000 }, () => rng.next());
  const y = s.map((v) => (rng.next() < v / 10 ? 1 : 0));
  const big = thresholdSweep(s, y, s.map(() => 1), { maxPoints: 50 });
  assert.ok(big.length <= 51 && big.length > 20);
  for (let k = 1; k < big.length; k++) assert.ok(big[k].volume > big[k - 1].volume && big[k].threshold < big[k - 1].threshold);
  assert.equal(big[0].volume, 1 / 5000);
  assert.equal(big[big.length - 1].volume, 1);
});
