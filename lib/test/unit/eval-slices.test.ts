import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VideoTable } from '../../src/data/table.js';
import { defineSlices, evaluateSlices, spikeCountries } from '../../src/eval/slices.js';
import { VigilError } from '../../src/util/errors.js';
import { containsNaN } from '../helpers.js';
import { evaluateTestSet } from '../../src/eval/testSet.js';
import { evalConfigSchema } from '../../src/eval/config.js';

interface Row {
  age?: number; strikes?: number; country?: string; lang?: string | null; transcript?: string | null;
  audio?: boolean; frames?: number; y?: number; tags?: string[]; w?: number;
}

/** A VideoTable with only what slices read filled meaningfully (1-d embeddings). */
function table(rows: Row[]): VideoTable {
  const n = rows.length;
  const frameOffsets = new Int32Array(n + 1), audioOffsets = new Int32Array(n + 1);
  rows.forEach((r, i) => {
    frameOffsets[i + 1] = frameOffsets[i] + (r.frames ?? 10);
    audioOffsets[i + 1] = audioOffsets[i] + (r.audio === false ? 0 : 2);
  });
  return {
    n,
    videoId: rows.map((_, i) => `v${i}`), creatorId: rows.map((_, i) => `c${i}`),
    uploadTs: new Float64Array(n), durationS: new Float32Array(n).fill(10),
    country: rows.map((r) => r.country ?? 'US'), device: rows.map(() => 'ios'),
    accountAgeDays: Float32Array.from(rows, (r) => r.age ?? 400),
    priorStrikes: Float32Array.from(rows, (r) => r.strikes ?? 0),
    uploadHour: new Int8Array(n),
    frameDim: 1, frameOffsets, frameTs: new Float32Array(frameOffsets[n]), frameEmb: new Float32Array(frameOffsets[n]),
    audioDim: 1, hasAudio: Uint8Array.from(rows, (r) => (r.audio === false ? 0 : 1)), audioOffsets,
    audioTs: new Float32Array(audioOffsets[n]), audioEmb: new Float32Array(audioOffsets[n]),
    transcript: rows.map((r) => (r.transcript === undefined ? 'hello there' : r.transcript)),
    asrConfidence: new Float32Array(n).fill(0.9),
    language: rows.map((r) => (r.lang === undefined ? 'en' : r.lang)),
    harmful: Int8Array.from(rows, (r) => r.y ?? 0),
    policyTags: rows.map((r) => r.tags ?? []),
    weight: Float32Array.from(rows, (r) => r.w ?? 1),
  };
}

const rows: Row[] = [
  { age: 3, y: 1, tags: ['violence'], country: 'BR' },          // 0 cold start, spike
  { age: NaN, strikes: NaN, y: 0 },                             // 1 missing metadata → cold start too
  { age: 100, strikes: NaN, y: 0, lang: 'es', country: 'BR' },  // 2 missing strikes, non-English
  { y: 1, tags: ['csam_like'], audio: false, transcript: null, lang: null }, // 3 no audio, no transcript
  { y: 0, frames: 61 },                                         // 4 long
  { y: 0, frames: 60, transcript: '   ' },                      // 5 not long; blank transcript
  { y: 1, tags: ['violence', 'hate'], lang: 'en-GB' },          // 6 English variant
  { y: 0, country: 'BR' },                                      // 7 spike
];

test('slice membership by hand', () => {
  const t = table(rows);
  const all = Int32Array.from(rows.keys());
  const s = defineSlices(t, all, { coldStartDays: 30, longVideoFrames: 60, spikeCountries: ['BR'] });
  const get = (name: string) => [...s.find((x) => x.name === name)!.positions];
  assert.deepEqual(get('cold_start'), [0, 1]);
  assert.deepEqual(get('missing_metadata'), [1, 2]);
  assert.deepEqual(get('spike_regions'), [0, 2, 7]);
  assert.deepEqual(get('non_english_transcript'), [2]);
  assert.deepEqual(get('no_audio'), [3]);
  assert.deepEqual(get('no_transcript'), [3, 5]);
  assert.deepEqual(get('long_video'), [4]);
  // Category slices: every negative plus the positives with that tag.
  assert.deepEqual(get('category:violence'), [0, 1, 2, 4, 5, 6, 7]);
  assert.deepEqual(get('category:csam_like'), [1, 2, 3, 4, 5, 7]);
  // Positions are into the evaluated subset, not the table.
  const sub = Int32Array.from([4, 5, 6]);
  const s2 = defineSlices(t, sub, { coldStartDays: 30, longVideoFrames: 60, spikeCountries: [], extra: { picked: [1, 0, 1] } });
  assert.deepEqual([...s2.find((x) => x.name === 'long_video')!.positions], [0]);
  assert.deepEqual([...s2.find((x) => x.name === 'picked')!.positions], [0, 2]);
  assert.throws(() => defineSlices(t, sub, { coldStartDays: 30, longVideoFrames: 60, spikeCountries: [], extra: { bad: [1] } }),
    (e: unknown) => e instanceof VigilError && e.field === 'extra.bad');
});

test('spike regions from train prevalence >= 3x overall', () => {
  // Train: BR 2/3 positive, US 1/7 → overall 3/10; BR 0.667 < 0.9 = 3 × 0.3 → not a spike at 3×, is at 2×.
  const r: Row[] = [
    { country: 'BR', y: 1 }, { country: 'BR', y: 1 }, { country: 'BR', y: 0 },
    ...Array.from({ length: 7 }, (_, i) => ({ country: 'US', y: i === 0 ? 1 : 0 })),
  ];
  const t = table(r);
  const idx = Int32Array.from(r.keys());
  assert.deepEqual(spikeCountries(t, idx, 3), []);
  assert.deepEqual(spikeCountries(t, idx, 2), ['BR']);
});

test('slice blocks: support, too-small flag, empty slice marked with nulls not NaN', () => {
  const t = table(rows);
  const all = Int32Array.from(rows.keys());
  const slices = defineSlices(t, all, { coldStartDays: 30, longVideoFrames: 60, spikeCountries: [] });
  const scores = [0.9, 0.2, 0.3, 0.6, 0.1, 0.4, 0.8, 0.05];
  const labels = Array.from(t.harmful);
  const res = evaluateSlices(slices, scores, labels, t.weight, [1, 2, 3, 4, 5, 6, 7, 8], { bootstrap: 20, minSlicePositives: 2 }).blocks;
  assert.equal(res.spike_regions.empty, true);
  assert.equal(res.spike_regions.too_small, true);
  assert.deepEqual(res.spike_regions.support, { rows: 0, positives: 0, negatives: 0, weighted_positives: 0 });
  assert.equal(res.spike_regions.ap.value, null);
  assert.equal(res['category:violence'].support.positives, 2);
  assert.equal(res['category:violence'].too_small, false);
  assert.equal(res.no_audio.too_small, true);
  // category:violence holds positives 0.9 and 0.8 above every negative: AUC 1.
  assert.equal(res['category:violence'].roc_auc.value, 1);
  assert.equal(containsNaN(res), false);
});

test('evaluateTestSet: test block, slices and reliability from a table', () => {
  const t = table(rows);
  const testRows = Int32Array.from([0, 2, 3, 4, 5, 6, 7]);
  const scores = [0.9, 0.3, 0.6, 0.1, 0.4, 0.8, 0.05];
  const cfg = evalConfigSchema.parse({ bootstrap: 20, minSlicePositives: 1, eceBins: 3 });
  const r = evaluateTestSet({
    table: t, rows: testRows, scores, groups: testRows.map((i) => t.creatorId[i].length + i), trainRows: Int32Array.from(rows.keys()), cfg,
    extraSlices: { first_two: [1, 1, 0, 0, 0, 0, 0] },
  });
  assert.equal(r.test.n, 7);
  assert.equal(r.test.positives, 3);
  // Train prevalence: BR 1/3 vs overall 3/8 — not ≥ 3×, so no spike regions.
  assert.deepEqual(r.spike_countries, []);
  assert.equal(r.slices.first_two.support.rows, 2);
  assert.equal(r.reliability!.length, 3);
  // The metrics.json parts never hold NaN (the per-resample draws mark undefined resamples with NaN by design).
  const { draws, ...stored } = r;
  assert.equal(containsNaN(stored), false);
  assert.equal(draws.test.ap.length, 20);
  assert.throws(() => evaluateTestSet({ table: t, rows: testRows, scores: [0.1], groups: null, trainRows: testRows, cfg }), /scores/);
});
