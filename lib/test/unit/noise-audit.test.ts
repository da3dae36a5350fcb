import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankLikelyMislabelled, auditAgainstTruth, reviewList } from '../../src/policy/noiseAudit.js';
import { stableSigmoid } from '../../src/calibrate/apply.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';

test('confident learning on a hand case', () => {
  // t1 = mean p over labelled-1 rows = (0.9 + 0.8 + 0.05)/3 ≈ 0.583; t0 = mean (1 − p) over
  // labelled-0 rows = (0.9 + 0.8 + 0.3)/3 ≈ 0.667. Row 5 (labelled 0, p = 0.7 ≥ t1) and row 4
  // (labelled 1, 1 − p = 0.95 ≥ t0) are flagged; row 4 is the more confident one.
  const p = [0.9, 0.8, 0.1, 0.2, 0.05, 0.7], obs = [1, 1, 0, 0, 1, 0];
  const a = rankLikelyMislabelled(p, obs);
  assert.deepEqual([...a.ranked], [4, 5]);
  assert.deepEqual([...a.scores], [0.95, 0.7]);
  assert.ok(Math.abs(a.thresholds.t1 - 1.75 / 3) < 1e-12 && Math.abs(a.thresholds.t0 - 2 / 3) < 1e-12);
  assert.deepEqual(a.flagged, { labelled0_looks1: 1, labelled1_looks0: 1 });
  const truth = [1, 1, 0, 0, 0, 1];
  assert.deepEqual(auditAgainstTruth(a.ranked, truth, obs, 10), { k: 2, mislabelled: 2, precision: 1, base_rate: 2 / 6, lift: 3 });
  assert.deepEqual(reviewList(a, ['a', 'b', 'c', 'd', 'e', 'f'], p, obs, 1), [{ video_id: 'e', observed: 1, oof_p: 0.05, other_class_p: 0.95 }]);
  assert.throws(() => rankLikelyMislabelled([1.2], [1]), (e: unknown) => e instanceof VigilError && e.field === 'oofProb');
});

test('on simulated label noise the top of the ranking is mostly real label errors', () => {
  const rng = createRng(12);
  const n = 5000;
  const trueY: number[] = [], obs: number[] = [], p: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = rng.normal() * 3 - 2;
    const y = rng.next() < stableSigmoid(z) ? 1 : 0;
    trueY.push(y);
    obs.push(rng.next() < 0.05 ? 1 - y : y);  // 5% of labels flipped
    p.push(stableSigmoid(z));                        // an out-of-fold model close to the truth
  }
  const a = rankLikelyMislabelled(p, obs);
  const r = auditAgainstTruth(a.ranked, trueY, obs, 100);
  assert.equal(r.k, 100);
  assert.ok(r.base_rate! > 0.03 && r.base_rate! < 0.07);
  assert.ok(r.precision! > 0.6, `top-100 precision ${r.precision}`);
});
