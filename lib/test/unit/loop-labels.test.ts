import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateLoop, type LoopTrace } from '../../src/loop/simulateLoop.js';
import { loopConfigSchema } from '../../src/loop/config.js';
import { LabelLedger } from '../../src/loop/ledger.js';
import { loopResultSchema } from '../../src/loop/schema.js';
import { syntheticWorld } from '../helpers/loopWorld.js';

const served = { id: 'run-model', queueThreshold: 0.5, blockThreshold: 1, blockEnabled: false };
const cfg = loopConfigSchema.parse({ weeks: 4, capacityShare: 0.05, strategies: ['active+audit'], gateResamples: 20 });

test('retraining sees only labels a reviewer produced, with the reviewer\'s decision', () => {
  const world = syntheticWorld({ weeks: 4, perWeek: 300 });
  const trace: Partial<LoopTrace> = {};
  simulateLoop(world, served, cfg, 'active+audit', trace);
  const ledger = trace.ledger!;
  assert.ok(trace.fits!.length >= 2, 'the loop never retrained');
  for (const fit of trace.fits!) {
    const latest = new Map<number, number>();
    for (const r of ledger.records) if (r.week < fit.week) latest.set(r.row, r.label);
    fit.rows.forEach((row, k) => {
      assert.ok(latest.has(row), `row ${row} reached the week-${fit.week} fit without a review`);
      assert.equal(fit.labels[k], latest.get(row), `row ${row}: trained label differs from the reviewer's latest decision`);
    });
  }
  // Changing the ground truth of uploads nobody reviewed changes nothing the models were trained on.
  const reviewed = new Set(ledger.records.map((r) => r.row));
  const altered = syntheticWorld({ weeks: 4, perWeek: 300 });
  let flipped = 0;
  for (let i = 0; i < altered.n; i++) if (!reviewed.has(i) && altered.baseRisk[i] < 0.5) { altered.trueHarmful[i] = 1 - altered.trueHarmful[i]; flipped++; }
  assert.ok(flipped > 100);
  const trace2: Partial<LoopTrace> = {};
  simulateLoop(altered, served, cfg, 'active+audit', trace2);
  assert.deepEqual(trace2.fits, trace.fits);
});

test('an appeal replaces the first decision instead of adding weight', () => {
  const l = new LabelLedger();
  l.add({ row: 7, week: 0, source: 'queue', role: 'first', label: 1, weight: 4 });
  l.add({ row: 7, week: 0, source: 'appeal', role: 'appeal', label: 0, weight: 4 });
  l.add({ row: 8, week: 1, source: 'audit', role: 'first', label: 0, weight: 1 });
  assert.deepEqual(l.trainingSet(0, 0), { rows: [7], labels: [0], weights: [4] });
  assert.deepEqual(l.trainingSet(0, 1).rows, [7, 8]);
});

test('the loop is deterministic for a seed, and its output validates', () => {
  const world = syntheticWorld({ weeks: 4, perWeek: 300 });
  const a = simulateLoop(world, served, cfg, 'active+audit');
  const b = simulateLoop(world, served, cfg, 'active+audit');
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const c = simulateLoop(world, served, { ...cfg, seed: 2 }, 'active+audit');
  assert.notEqual(JSON.stringify(a), JSON.stringify(c));
  const parsed = loopResultSchema.safeParse({
    format: 1, run: { id: 'r', dir: 'd', model_version: 'm', policy_version: 'p' },
    source: { preset: 'tiny', seed: 1, salt: 'loop-1', start: 'x', world_weeks: [4, 5, 6, 7], rows: world.n, uploads: 1 },
    config: cfg, strategies: [a], timings: {},
  });
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0]));
  // Selection bias is visible: the labels the queue produces are far richer in positives than the stream.
  const w0 = a.weeks[0];
  assert.ok(w0.labels.positive_share! > 3 * w0.true_prevalence!, 'reviewed labels should over-represent harm');
  // The audit estimates what reviewers would say about ALLOW uploads.
  assert.ok(a.weeks.some((w) => w.audit.ci !== null));
});
