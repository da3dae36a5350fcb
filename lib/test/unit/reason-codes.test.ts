import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitReasonThresholds, upperTailThreshold, type ReasonThresholds } from '../../src/serve/reasonThresholds.js';
import { attentionSpan, buildReasonCodes, leaveOneOutVariants, fmtTime } from '../../src/serve/reasonCodes.js';
import type { ParsedVideo } from '../../src/serve/request.js';
import { VigilError } from '../../src/util/errors.js';

test('upper-tail threshold: hand-computed cases, ties and weights', () => {
  const xs = Array.from({ length: 100 }, (_, i) => ({ v: i + 1, w: 1 }));
  assert.equal(upperTailThreshold(xs, 0.01), 100); // exactly 1 of 100 at or above
  assert.equal(upperTailThreshold(xs, 0.05), 96); // 96..100 = 5%
  // A tie group that would overshoot stays out: 3 values tied at the top of 10 with tail 0.2.
  const tied = [...Array.from({ length: 7 }, (_, i) => ({ v: i, w: 1 })), { v: 9, w: 1 }, { v: 9, w: 1 }, { v: 9, w: 1 }];
  assert.ok(upperTailThreshold(tied, 0.2)! > 9);
  assert.equal(upperTailThreshold(tied, 0.3), 9);
  // Weights: one heavy negative at 5 (weight 98) and two light ones above it.
  assert.equal(upperTailThreshold([{ v: 5, w: 98 }, { v: 6, w: 1 }, { v: 7, w: 1 }], 0.02), 6);
  assert.equal(upperTailThreshold([], 0.01), null);
});

test('fitReasonThresholds per modality, leaving absent modalities out', () => {
  const n = 200;
  const logits: number[] = [], labels: number[] = [], weights: number[] = [], avail: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = i >= 100;
    labels.push(pos ? 1 : 0);
    weights.push(1);
    // negatives 0..99 on every modality; positives 50..149. Audio absent for odd rows.
    const v = pos ? i - 50 : i;
    logits.push(v, v, i % 2 ? 0 : v, v);
    avail.push(1, 1, i % 2 ? 0 : 1, 1);
  }
  const th = fitReasonThresholds(logits, labels, weights, { tail: 0.05, avail });
  assert.equal(th.modality.visual, 95);
  // Even negatives only (0,2,...,98): top 5% of 50 = 2.5 → 2 values (98, 96).
  assert.equal(th.modality.audio, 96);
  // Positives 50..149 with v >= 95: 55 of 100.
  assert.equal(th.positiveRate.visual, 0.55);
  assert.throws(() => fitReasonThresholds([1, 2, 3], [0], [1]), (e: unknown) => e instanceof VigilError && e.field === 'modalityLogits');
  assert.throws(() => fitReasonThresholds([0, 0, 0, 0], [2], [1]), (e: unknown) => e instanceof VigilError && e.field === 'labels');
});

test('attention span covers half the mass and reports the time range', () => {
  const span = attentionSpan([0.05, 0.4, 0.3, 0.05, 0.2], [0, 1, 2, 3, 4])!;
  assert.deepEqual([span.start_s, span.end_s], [1, 2]);
  assert.equal(span.top[0].t_s, 1);
  assert.equal(attentionSpan([0, 0], [0, 1]), null);
  assert.equal(fmtTime(75), '1:15');
});

const video = (over: Partial<ParsedVideo> = {}): ParsedVideo => ({
  videoId: 'v', creatorId: 'c', uploadTs: 0, durationS: 10, country: 'US', device: 'ios', accountAgeDays: 3, priorStrikes: 2,
  uploadHour: 1, frameTs: Float32Array.from([0, 10, 20, 30]), frameEmb: new Float32Array(4), hasAudio: false,
  audioTs: new Float32Array(0), audioEmb: new Float32Array(0), transcript: 'some words', asrConfidence: 1, language: 'en', ...over,
});
const th: ReasonThresholds = {
  formatVersion: 1, tail: 0.01, modality: { meta: 1, visual: 1, audio: 1, text: 1 },
  positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 1, newAccountDays: 30 },
};

test('reason codes: visual with frame range, transcript terms, account facts, missing modalities, known content', () => {
  const codes = buildReasonCodes({
    video: video(), modalityLogits: [0.2, 3, 0, 1.5], frameAttention: [0.1, 0.1, 0.7, 0.1], audioAttention: [],
    thresholds: th, towers: ['meta', 'visual', 'audio', 'text'], knownMatch: { videoId: 'old1', cosine: 0.98 },
    terms: [{ term: 'kill', contribution: 0.9 }],
  });
  const names = codes.map((c) => c.code);
  assert.deepEqual(names, ['KNOWN_CONTENT', 'VISUAL_HIGH', 'TRANSCRIPT_HIGH', 'ACCOUNT_RISK', 'MODALITY_MISSING']);
  assert.match(codes[1].message, /0:20–0:20/);
  assert.deepEqual((codes[1].evidence as { frame_range_s: number[] }).frame_range_s, [20, 20]);
  assert.match(codes[2].message, /"kill"/);
  assert.match(codes[3].message, /2 prior strikes; new account \(3 days old\)/);
  assert.equal(codes[4].modality, 'audio');
  // Below every threshold, old clean account, all modalities present → no codes at all.
  const quiet = buildReasonCodes({
    video: video({ accountAgeDays: 900, priorStrikes: 0, hasAudio: true, audioTs: Float32Array.from([0]) }),
    modalityLogits: [0, 0, 0, 0], frameAttention: [0.25, 0.25, 0.25, 0.25], audioAttention: [1], thresholds: th, towers: ['meta', 'visual', 'audio', 'text'],
  });
  assert.deepEqual(quiet, []);
});

test('leave-one-word-out variants remove every occurrence, most frequent first', () => {
  const v = leaveOneOutVariants('Fight, fight now!', 5);
  assert.deepEqual(v, [{ term: 'fight', text: 'now' }, { term: 'now', text: 'fight fight' }]);
});
