import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoricalLevels, categoricalShares, numericShares, psi, quantileEdges, OTHER_LEVEL } from '../../src/monitor/psi.js';
import { buildReference, computeDrift, weekStart, formatDrift } from '../../src/monitor/drift.js';
import { psiLevel } from '../../src/monitor/types.js';
import { VigilError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';
import { syntheticWeeks } from '../fixtures/drift.js';

test('PSI hand case', () => {
  // 0.2·ln(0.7/0.5) + (−0.2)·ln(0.3/0.5) = 0.2·0.336472 + 0.2·0.510826
  assert.ok(Math.abs(psi([0.5, 0.5], [0.7, 0.3]) - 0.1694596) < 1e-6);
  assert.equal(psi([0.25, 0.75], [0.25, 0.75]), 0);
  // An empty current bin is floored, not infinite.
  assert.ok(Number.isFinite(psi([0.5, 0.5], [1, 0])));
  assert.throws(() => psi([1], [0.5, 0.5]), (e: unknown) => e instanceof VigilError && e.field === 'bins');
  assert.deepEqual([0.05, 0.1, 0.24, 0.25].map((v) => psiLevel(v)), ['ok', 'warn', 'warn', 'alert']);
});

test('quantile bins from the reference; missing values get their own bin; ties collapse', () => {
  const v = Float64Array.from({ length: 100 }, (_, i) => i);
  const e = quantileEdges(v, 4);
  assert.deepEqual(e, [24.5, 49.5, 74.5]);
  assert.deepEqual(numericShares(v, e), [0.25, 0.25, 0.25, 0.25, 0]);
  assert.deepEqual(numericShares([1, NaN, 60, 99], e), [0.25, 0, 0.25, 0.25, 0.25]);
  const atoms = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
  assert.deepEqual(quantileEdges(atoms, 10), [0.5, 1.5], 'heavy atom at 0 → one bin for it');
  const levels = categoricalLevels(['US', 'US', 'BR', null, 'XX'], 0.3);
  assert.deepEqual(levels, ['US', OTHER_LEVEL]);
  assert.deepEqual(categoricalShares(['US', 'ZZ', null, 'BR'], levels), [0.25, 0.5, 0.25]);
});

test('stable weeks do not alert; a shifted week does, on the features that moved', () => {
  const weeks = [...Array.from({ length: 9 }, () => ({ n: 1500 })), { n: 1500, shifted: true }, { n: 50 }];
  const t = syntheticWeeks(weeks);
  const train: number[] = [];
  const cut = Date.UTC(2026, 5, 1) + 6 * 7 * 86_400_000;
  for (let i = 0; i < t.n; i++) if (t.uploadTs[i] < cut) train.push(i);
  // Scores: the shifted week's uploads score higher (the model sees the content change).
  const rng = createRng(9);
  const shiftedStart = Date.UTC(2026, 5, 1) + 9 * 7 * 86_400_000;
  const scores = Float64Array.from({ length: t.n }, (_, i) => 1 / (1 + Math.exp(-(rng.normal() - 5 + (t.uploadTs[i] >= shiftedStart && t.uploadTs[i] < shiftedStart + 7 * 86_400_000 ? 1.5 : 0)))));
  const ref = buildReference(t, train, scores);
  assert.equal(ref.rows, train.length);
  assert.equal(ref.embeddings.visual?.directions.length, 2);
  const report = computeDrift(JSON.parse(JSON.stringify(ref)), t, { scores });
  assert.equal(report.weeks.length, 11);
  const byWeek = new Map(report.weeks.map((w) => [w.week, w]));
  for (let k = 0; k < 9; k++) {
    const w = byWeek.get(weekStart(Date.UTC(2026, 5, 1) + k * 7 * 86_400_000))!;
    assert.equal(w.level, 'ok', `stable week ${w.week} alerted: ${formatDrift(report)}`);
    assert.ok(w.maxPsi < 0.1);
  }
  const shifted = byWeek.get(weekStart(shiftedStart))!;
  assert.equal(shifted.level, 'alert');
  const lit = new Set(shifted.features.filter((f) => f.level === 'alert').map((f) => f.name));
  // The reference embeddings are isotropic, so which principal direction picks up the shift is arbitrary.
  assert.ok(['frame_emb_pc1', 'frame_emb_pc2'].some((f) => lit.has(f)), `a frame embedding direction should alert; got ${[...lit]}`);
  for (const f of ['country', 'account_age_days', 'audio_available', 'score']) assert.ok(lit.has(f), `${f} should alert; got ${[...lit]}`);
  for (const f of ['device', 'duration_s', 'upload_hour', 'language']) assert.ok(!lit.has(f), `${f} did not move but alerted`);
  // Audio went missing more often, but the audio that is there did not change: only availability alerts.
  for (const f of ['audio_emb_norm', 'audio_emb_pc1', 'audio_segments']) assert.ok(!lit.has(f), `${f} counted the availability change again`);
  assert.equal(ref.features.find((f) => f.name === 'audio_emb_norm')?.conditional, true);
  const small = report.weeks[report.weeks.length - 1];
  assert.equal(small.n, 50);
  assert.ok(small.tooSmall && small.level === 'ok' && small.maxPsi >= 0.25, 'a 50-row week is noisy: reported, not alerted');
  assert.ok(report.alerts.every((a) => a.week === shifted.week));
  assert.equal(report.level, 'alert');
  assert.equal(report.weeks[0].prevalence, 0, 'labelled, none harmful');
  const unlabelled = { ...t, harmful: new Int8Array(t.n).fill(-1) };
  assert.equal(computeDrift(ref, unlabelled).weeks[0].prevalence, null);
  // The score reference can come from other rows (the calibration window's out-of-sample scores).
  const calibRows = Array.from({ length: t.n }, (_, i) => i).filter((i) => t.uploadTs[i] >= cut && t.uploadTs[i] < cut + 7 * 86_400_000);
  const refCal = buildReference(t, train, scores, { scoreRows: calibRows });
  assert.notDeepEqual(refCal.features.find((f) => f.name === 'score')!.edges, ref.features.find((f) => f.name === 'score')!.edges);
  assert.deepEqual(refCal.features.find((f) => f.name === 'country'), ref.features.find((f) => f.name === 'country'));
  // Without scores the score feature is simply not monitored.
  assert.ok(!computeDrift(ref, t).weeks[0].features.some((f) => f.name === 'score'));
});

test('drift input errors name the field', () => {
  const t = syntheticWeeks([{ n: 30 }]);
  assert.throws(() => buildReference(t, []), (e: unknown) => e instanceof VigilError && e.field === 'rows');
  assert.throws(() => buildReference(t, [0, 1, 2], new Float64Array(2)), (e: unknown) => e instanceof VigilError && e.field === 'scores');
  const ref = buildReference(t, Array.from({ length: 30 }, (_, i) => i));
  const other = syntheticWeeks([{ n: 30 }], 3, 9);
  assert.throws(() => computeDrift(ref, other), (e: unknown) => e instanceof VigilError && e.field === 'frame_emb');
  assert.equal(weekStart(Date.UTC(2026, 5, 3, 12)), '2026-06-01');
  assert.equal(weekStart(Date.UTC(2026, 4, 31, 23)), '2026-05-25', 'a Sunday belongs to the week before');
});

test('k-means finds separated blobs; a new kind of content lights up the cluster-mix and novelty features', async () => {
  const { kMeans } = await import('../../src/monitor/embeddingSummary.js');
  const rng = createRng(4);
  const X = Array.from({ length: 300 }, (_, i) => Float64Array.from([i % 3 === 0 ? 10 : i % 3 === 1 ? -10 : 0, i % 3 === 2 ? 10 : 0].map((c) => c + 0.1 * rng.normal())));
  const C = kMeans(X, 3, createRng(1)).map((c) => c.map((v) => Math.round(v) + 0)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(C, [[-10, 0], [0, 10], [10, 0]]);

  // Four content kinds in the reference; in the last week 15% of uploads are a fifth, new kind.
  const weeks = [...Array.from({ length: 4 }, () => ({ n: 1500 })), { n: 1500 }, { n: 1500, shifted: true }];
  const t = syntheticWeeks(weeks, 5, 8);
  const r2 = createRng(6);
  const shiftedStart = Date.UTC(2026, 5, 1) + 5 * 7 * 86_400_000;
  for (let i = 0; i < t.n; i++) {
    const novel = t.uploadTs[i] >= shiftedStart && r2.next() < 0.15;
    const kind = novel ? 4 : r2.int(4);
    for (let f = t.frameOffsets[i]; f < t.frameOffsets[i + 1]; f++) {
      for (let j = 0; j < 8; j++) t.frameEmb[f * 8 + j] = (j === kind ? 4 : 0) + 0.5 * r2.normal();
    }
  }
  const ref = buildReference(t, Array.from({ length: 6000 }, (_, i) => i).filter((i) => t.uploadTs[i] < Date.UTC(2026, 5, 1) + 4 * 7 * 86_400_000));
  const d = computeDrift(ref, t);
  const get = (w: number, name: string) => d.weeks[w].features.find((f) => f.name === name)!.psi;
  assert.ok(get(4, 'frame_emb_cluster') < 0.1 && get(4, 'frame_emb_novelty') < 0.1, 'a stable week stays quiet');
  assert.ok(get(5, 'frame_emb_cluster') >= 0.1 || get(5, 'frame_emb_novelty') >= 0.1, `new content: cluster ${get(5, 'frame_emb_cluster')}, novelty ${get(5, 'frame_emb_novelty')}`);
});

test('the harm mix among harmful uploads alerts on a new harm category; too few harmful uploads never alert', () => {
  const weeks = [...Array.from({ length: 4 }, () => ({ n: 1500 })), { n: 1500 }, { n: 1500 }, { n: 600 }];
  const t = syntheticWeeks(weeks, 8);
  const rng = createRng(12);
  const wk = (i: number) => Math.floor((t.uploadTs[i] - Date.UTC(2026, 5, 1)) / (7 * 86_400_000));
  for (let i = 0; i < t.n; i++) {
    // 10% harmful → ~150 a week (~60 in the small last week); week 5 brings a new category at 40%.
    if (rng.next() >= 0.1) continue;
    t.harmful[i] = 1;
    const novel = wk(i) >= 5 && rng.next() < 0.4;
    t.policyTags[i] = novel ? ['hate_symbol', 'extremism'] : [['graphic_violence', 'extremism', 'self_harm'][rng.int(3)]];
  }
  const ref = buildReference(t, Array.from({ length: t.n }, (_, i) => i).filter((i) => wk(i) < 4));
  const d = computeDrift(ref, t);
  const mix = (w: number) => d.weeks[w].features.find((f) => f.name === 'harm_mix')!;
  assert.equal(mix(4).level, 'ok');
  assert.equal(mix(5).level, 'alert');
  assert.ok(mix(5).psi > 1, `new category: PSI ${mix(5).psi}`);
  const small = mix(6);
  assert.ok(small.n < 100 && small.tooSmall && small.level === 'ok' && small.psi > 0.25, 'fewer than 100 harmful uploads: shown, not alerted');
  assert.ok(small.noise > 0 && Math.abs(small.noise - 2 * (1 / small.n + 1 / ref.features.find((f) => f.name === 'harm_mix')!.n!)) < 1e-12, 'noise = (k−1)(1/n + 1/n_ref) with 3 occupied bins');
});
