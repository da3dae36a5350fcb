import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/simulate/generate.js';
import { getPreset } from '../../src/simulate/presets.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { makeSplit, splitFingerprint } from '../../src/split/split.js';
import { auditPointInTime } from '../../src/split/pointInTime.js';
import { reuploadRecall } from '../../src/split/reuploadRecall.js';
import { MS_PER_DAY } from '../../src/data/table.js';

// The simulator's smallest preset: point-in-time metadata, real re-upload structure.
const sim = simulate(getPreset('tiny'), 1);
const t = sim.table;
const cfg = splitConfigSchema.parse({ testWeeks: 2, calibWeeks: 1, folds: 3, minFoldPositives: 5 });

test('on simulated data: zero overlap, re-uploads recalled, point-in-time audit passes', () => {
  const r = makeSplit(t, cfg, 1);
  assert.equal(r.audit.pass, true);
  const rec = reuploadRecall(r.clusters, t.videoId, sim.truth);
  assert.ok(rec.truePairs >= 20, `re-upload pairs ${rec.truePairs}`);
  assert.ok(rec.recall >= 0.95, `recall ${rec.recall}`);
  assert.ok(rec.nonReuploadShare < 0.1, `non-re-upload share ${rec.nonReuploadShare}`);
  assert.equal(r.report.pointInTime.pass, true, JSON.stringify(r.report.pointInTime.checks.map((c) => c.examples[0])));
  assert.equal(splitFingerprint(makeSplit(t, cfg, 1).assignment), splitFingerprint(r.assignment));
});

test('leaky copies of the simulated metadata fail the point-in-time audit', () => {
  const strikesLeak = { ...t, priorStrikes: t.priorStrikes.map((s, i) => s + t.harmful[i]) };
  const r1 = auditPointInTime(strikesLeak);
  assert.equal(r1.pass, false);
  assert.ok(r1.checks[0].violations > 10, `violations ${r1.checks[0].violations}`);
  const end = t.uploadTs.reduce((m, v) => Math.max(m, v), -Infinity);
  const ageLeak = { ...t, accountAgeDays: t.accountAgeDays.map((a, i) => a + Math.floor((end - t.uploadTs[i]) / MS_PER_DAY)) };
  assert.equal(auditPointInTime(ageLeak).checks[1].pass, false);
});
