import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { compareRuns, pairedDeltaCi, formatComparison } from '../../src/runs/compare.js';
import { readRun } from '../../src/runs/runFolder.js';
import { promoteRun, rollbackPromotion, currentPromoted } from '../../src/runs/promote.js';
import { runCli as captureMain } from '../helpers/runCli.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { block, tmpDir, writeFakeRun } from '../fixtures/runs.js';

const SLICES_OK = { 'cold_start': block(0.35, 0.75, 0.05, { positives: 30 }), 'region:IN': block(0.3, 0.7, 0.06, { positives: 8 }) };

async function twoRuns(candidate: Parameters<typeof writeFakeRun>[1]['test'], slices = SLICES_OK) {
  const runs = tmpDir('cmp');
  await writeFakeRun(runs, { id: 'base', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.03), slices: SLICES_OK });
  await writeFakeRun(runs, { id: 'cand', createdAt: '2026-11-02T00:00:00Z', test: candidate, slices });
  return { runs, a: readRun(join(runs, 'base')), b: readRun(join(runs, 'cand')) };
}

test('a deliberately worse candidate fails the gate and the CLI exits non-zero', async () => {
  const { runs, a, b } = await twoRuns(block(0.30, 0.60, 0.03));
  const c = compareRuns(a, b);
  assert.equal(c.verdict, 'reject');
  const ap = c.rows.find((r) => r.metric === 'ap' && r.slice === 'overall')!;
  // Non-overlap interval: [lo_B − hi_A, hi_B − lo_A] = [0.27 − 0.48, 0.33 − 0.42].
  assert.equal(ap.ciMethod, 'non-overlap');
  assert.ok(Math.abs(ap.ci![0] - -0.21) < 1e-12 && Math.abs(ap.ci![1] - -0.09) < 1e-12);
  assert.ok(Math.abs(ap.delta! - -0.15) < 1e-12);
  assert.ok(ap.significant && ap.fails);
  assert.ok(c.reasons.some((r) => /^ap \(overall\) dropped significantly/.test(r)));
  assert.ok(c.reasons.some((r) => /^recall_at_fpr\.0\.02 \(overall\)/.test(r)));
  const { code, out } = await captureMain(['compare', 'base', 'cand', '--dir', runs]);
  assert.equal(code, 1);
  assert.match(out, /verdict: REJECT/);
  const j = await captureMain(['compare', join(runs, 'base'), join(runs, 'cand'), '--json']);
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.out).verdict, 'reject');
});

test('an equal-or-better candidate passes; overlapping intervals are not significant', async () => {
  const { runs, a, b } = await twoRuns(block(0.47, 0.83, 0.03));
  const c = compareRuns(a, b);
  assert.equal(c.verdict, 'promote', formatComparison(c));
  assert.ok(c.rows.every((r) => !r.fails));
  assert.equal((await captureMain(['compare', 'base', 'cand', '--dir', runs])).code, 0);
});

test('a significant drop on a large slice rejects; on a too-small slice it is only noted', async () => {
  const worseCold = { ...SLICES_OK, cold_start: block(0.10, 0.30, 0.05, { positives: 30 }) };
  const r1 = await twoRuns(block(0.45, 0.82, 0.03), worseCold);
  const c1 = compareRuns(r1.a, r1.b);
  assert.equal(c1.verdict, 'reject');
  assert.ok(c1.reasons.every((r) => /cold_start/.test(r)));
  const worseSmall = { ...SLICES_OK, 'region:IN': block(0.01, 0.05, 0.01, { positives: 8 }) };
  const r2 = await twoRuns(block(0.45, 0.82, 0.03), worseSmall);
  const c2 = compareRuns(r2.a, r2.b);
  assert.equal(c2.verdict, 'promote');
  const small = c2.rows.find((r) => r.slice === 'region:IN' && r.metric === 'ap')!;
  assert.ok(small.significant && !small.gated && !small.fails);
  assert.match(small.note ?? '', /fewer than 20 positives/);
  // Tolerance: a drop within it never rejects.
  const r3 = await twoRuns(block(0.30, 0.75, 0.03));
  assert.equal(compareRuns(r3.a, r3.b, { tolerance: 0.25 }).verdict, 'promote');
});

test('paired bootstrap deltas detect a small consistent drop that non-overlap misses', async () => {
  const rng = createRng(5);
  const R = 200;
  const aAp: number[] = [], bAp: number[] = [];
  for (let k = 0; k < R; k++) {
    const common = 0.45 + 0.03 * rng.normal(); // resample-to-resample variation shared by both runs
    aAp.push(common);
    bAp.push(common - 0.02 + 0.003 * rng.normal());
  }
  const boot = (vals: number[]) => ({ sampleKey: 'k1', resamples: R, blocks: { test: { ap: vals } } });
  const runs = tmpDir('paired');
  await writeFakeRun(runs, { id: 'a', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.06), bootstrap: boot(aAp) });
  await writeFakeRun(runs, { id: 'b', createdAt: '2026-11-02T00:00:00Z', test: block(0.43, 0.82, 0.06), bootstrap: boot(bAp) });
  await writeFakeRun(runs, { id: 'b2', createdAt: '2026-11-02T00:00:00Z', test: block(0.43, 0.82, 0.06), bootstrap: { ...boot(bAp), sampleKey: 'other' } });
  const A = readRun(join(runs, 'a'));
  const paired = compareRuns(A, readRun(join(runs, 'b')));
  const ap = paired.rows.find((r) => r.metric === 'ap' && r.slice === 'overall')!;
  assert.equal(ap.ciMethod, 'paired');
  assert.ok(ap.ci![1] < 0 && ap.ci![0] > -0.03, `paired CI ${ap.ci}`);
  assert.equal(paired.verdict, 'reject');
  // Different resamples: pairing would be meaningless, so it falls back and says so.
  const unpaired = compareRuns(A, readRun(join(runs, 'b2')));
  const ap2 = unpaired.rows.find((r) => r.metric === 'ap' && r.slice === 'overall')!;
  assert.equal(ap2.ciMethod, 'non-overlap');
  assert.equal(unpaired.verdict, 'promote');
  assert.match(formatComparison(unpaired), /CI method for gated metrics: non-overlap/);
});

test('pairedDeltaCi is the 2.5/97.5 percentile of b−a', () => {
  const a = Array.from({ length: 41 }, () => 0);
  const b = Array.from({ length: 41 }, (_, k) => k / 40); // deltas 0, 0.025, ..., 1
  const ci = pairedDeltaCi(a, b)!;
  assert.ok(Math.abs(ci[0] - 0.025) < 1e-12 && Math.abs(ci[1] - 0.975) < 1e-12);
  assert.equal(pairedDeltaCi([1, 2], [1]), null);
});

test('promote is gated against the current run, --force overrides, rollback restores the previous', async () => {
  const runs = tmpDir('promote');
  await writeFakeRun(runs, { id: 'good', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.03) });
  await writeFakeRun(runs, { id: 'better', createdAt: '2026-11-02T00:00:00Z', test: block(0.55, 0.90, 0.03) });
  await writeFakeRun(runs, { id: 'worse', createdAt: '2026-11-03T00:00:00Z', test: block(0.20, 0.50, 0.03) });
  assert.equal(promoteRun(runs, 'good').promoted, true, 'first promotion has nothing to beat');
  assert.equal(promoteRun(runs, 'better').promoted, true);
  const refused = promoteRun(runs, 'worse');
  assert.equal(refused.promoted, false);
  assert.equal(refused.comparison?.verdict, 'reject');
  assert.equal(currentPromoted(runs), 'better');
  const cli = await captureMain(['promote', 'worse', '--dir', runs]);
  assert.equal(cli.code, 1);
  assert.equal((await captureMain(['promote', 'worse', '--dir', runs, '--force'])).code, 0);
  assert.equal(readFileSync(join(runs, 'PROMOTED'), 'utf8'), 'worse\n');
  assert.deepEqual(rollbackPromotion(runs), { from: 'worse', to: 'better' });
  assert.equal((await captureMain(['promote', '--rollback', '--dir', runs])).code, 0);
  assert.equal(currentPromoted(runs), 'good');
  assert.throws(() => rollbackPromotion(runs), (e: unknown) => e instanceof VigilError && /nothing to roll back/.test(e.message));
  const hist = JSON.parse(readFileSync(join(runs, 'PROMOTED.history.json'), 'utf8'));
  assert.equal(hist.events.filter((e: { forced: boolean }) => e.forced).length, 1);
});

test('runs command lists headline metrics and marks the promoted run', async () => {
  const runs = tmpDir('list');
  await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.03), feasible: true });
  promoteRun(runs, 'r1');
  const { code, out } = await captureMain(['runs', '--dir', runs]);
  assert.equal(code, 0);
  assert.match(out, /\*\s+r1\s+default\s+45\.0 \[42\.0, 48\.0\]\s+82\.0 \[79\.0, 85\.0\]\s+20\.0 \[15\.0, 25\.0\]\s+yes/);
  assert.equal((await captureMain(['compare', 'r1', '--dir', runs])).code, 2, 'one run is bad input');
});
