import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateLoop, type LoopTrace } from '../../src/loop/simulateLoop.js';
import { loopConfigSchema } from '../../src/loop/config.js';
import { scoreRows, volumeMatchedThresholds, type LoopModel } from '../../src/loop/models.js';
import { rowsOfWeek, rowsUpToWeek } from '../../src/loop/world.js';
import { syntheticWorld } from '../helpers/loopWorld.js';

const served = { id: 'run-model', queueThreshold: 0.5, blockThreshold: 1, blockEnabled: false };
const base = { weeks: 4, capacityShare: 0.02, gateResamples: 20 };

test('exposure is decomposed by fate: the fates partition the harmful uploads and their hours', () => {
  const world = syntheticWorld({ weeks: 4, perWeek: 300 });
  for (const queueMode of ['published', 'suppressed'] as const) {
    const r = simulateLoop(world, served, loopConfigSchema.parse({ ...base, queueMode }), 'active+audit');
    r.weeks.forEach((w, k) => {
      const fates = Object.values(w.exposure_by_fate);
      const hours = fates.reduce((s, f) => s + f.upload_hours, 0);
      const uploads = fates.reduce((s, f) => s + f.uploads, 0);
      const harmful = rowsOfWeek(world, k).reduce((s, row) => s + world.trueHarmful[row] * world.weight[row], 0);
      assert.ok(Math.abs(hours - w.exposure_upload_hours) < 1e-6, `${queueMode} week ${k}: fate hours ${hours} ≠ exposure ${w.exposure_upload_hours}`);
      assert.ok(Math.abs(uploads - harmful) < 1e-9, `${queueMode} week ${k}: fates cover ${uploads} harmful uploads, the week has ${harmful}`);
    });
    assert.ok(Math.abs(r.totals.exposure_by_fate.allowed_never_removed.upload_hours - r.weeks.reduce((s, w) => s + w.exposure_by_fate.allowed_never_removed.upload_hours, 0)) < 1e-6);
    // Suppressed queue items are hidden while they wait: the backlog adds uploads but no hours.
    if (queueMode === 'suppressed') assert.equal(r.totals.exposure_by_fate.queued_never_reviewed.upload_hours, 0);
  }
  // With capacity far below the queue, harmful uploads are left in the backlog and it shows.
  const starved = simulateLoop(world, served, loopConfigSchema.parse({ ...base, capacityShare: 0.001, retrain: false }), 'top-risk');
  assert.ok(starved.totals.exposure_by_fate.queued_never_reviewed.uploads > 0, 'a starved queue should leave harmful uploads unreviewed');
  assert.ok(starved.totals.exposure_by_fate.queued_never_reviewed.upload_hours > starved.totals.exposure_by_fate.queued_removed.upload_hours);
});

test('queue-order routing: a promoted model orders the queue but the run\'s policy decides every action', () => {
  const world = syntheticWorld({ weeks: 4, perWeek: 300 });
  const frozen = simulateLoop(world, served, loopConfigSchema.parse({ ...base, retrain: false }), 'active');
  const trace: Partial<LoopTrace> = {};
  const looped = simulateLoop(world, served, loopConfigSchema.parse({ ...base, retrainedRouting: 'queue-order' }), 'active', trace);
  assert.ok(looped.promotions.some((p) => p.event === 'promote'), 'no model was promoted: the test would prove nothing');
  looped.weeks.forEach((w, k) => assert.deepEqual(w.actions, frozen.weeks[k].actions, `week ${k}: actions differ from the run's policy`));
  // In `thresholds` mode the promoted model routes, so the actions move.
  const routed = simulateLoop(world, served, loopConfigSchema.parse({ ...base, retrainedRouting: 'thresholds' }), 'active');
  assert.ok(routed.weeks.some((w, k) => w.actions.queue !== frozen.weeks[k].actions.queue));
});

test('a retrained head\'s thresholds flag the run policy\'s share of every upload seen so far', () => {
  // The run's policy flags few uploads in week 0 and many later (drift): matching week 0's share on one
  // week's rows — the old rule — queued a different volume than the policy on the weeks that followed.
  const world = syntheticWorld({ weeks: 4, perWeek: 400, seed: 9 });
  for (let i = 0; i < world.n; i++) if (world.week[i] >= 2) world.baseRisk[i] = Math.min(1, world.baseRisk[i] * 1.6);
  const policy: LoopModel = { id: 'p', kind: 'served', trainedAfterWeek: -1, head: null, queueThreshold: 0.5, blockThreshold: 0.9, blockEnabled: true, trainLabels: 0, trainPositives: 0 };
  const head: LoopModel = {
    id: 'h', kind: 'retrained', trainedAfterWeek: 2, trainLabels: 1, trainPositives: 1, queueThreshold: 0, blockThreshold: 1, blockEnabled: true,
    head: { a: 0.7, b: 1.2, mean: [0, 0], std: [1, 1], coef: [0, 0.9] },
  };
  const seen = rowsUpToWeek(world, 2);
  const t = volumeMatchedThresholds(world, head, policy, seen);
  const shareOf = (scores: Float64Array, thr: number) => {
    let a = 0, b = 0;
    seen.forEach((r, k) => { b += world.weight[r]; if (scores[k] >= thr) a += world.weight[r]; });
    return a / b;
  };
  const ps = scoreRows(world, policy, seen), hs = scoreRows(world, head, seen);
  const tol = 6 / seen.length; // one stored row's weight at most
  assert.ok(Math.abs(shareOf(hs, t.queueThreshold) - shareOf(ps, policy.queueThreshold)) < tol, 'queue volume not matched');
  assert.ok(Math.abs(shareOf(hs, t.blockThreshold) - shareOf(ps, policy.blockThreshold)) < tol, 'block volume not matched');
  assert.ok(t.blockThreshold > t.queueThreshold);
  assert.equal(seen.length, 3 * 400);
});
