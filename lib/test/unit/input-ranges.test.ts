import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fitInputRanges, rangesFromTraining, rangesFromPreprocessor, defaultRanges, checkInputRanges, fmtNum, RANGE_WIDEN, DEFAULT_LIMITS,
  type TrainingRanges,
} from '../../src/serve/inputRanges.js';
import { sha256 } from '../../src/util/hash.js';
import { VigilError } from '../../src/util/errors.js';
import { parseVideo } from '../../src/serve/request.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { writeServingBundle, type ServingBundle } from '../../src/export/bundle.js';
import { makeTable } from '../fixtures/videos.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

const table = makeTable([
  { frames: 3, audio: 2, strikes: 2 },
  { frames: 1, audio: null, age: null, strikes: null },
  { frames: 5, audio: 4 },
]);

test('training ranges are the observed min/max of the training rows only (missing values skipped)', () => {
  const r = fitInputRanges(table, [0, 1]);
  assert.equal(r.rows, 2);
  assert.deepEqual(r.scalars.prior_strikes, { min: 2, max: 2 });
  assert.deepEqual(r.scalars.duration_s, { min: Math.min(table.durationS[0], table.durationS[1]), max: Math.max(table.durationS[0], table.durationS[1]) });
  // Frame 0..3 of rows 0 and 1 (row 2's five frames are not training rows).
  const frames = Array.from(table.frameEmb.subarray(0, 4 * table.frameDim));
  const dim0 = frames.filter((_, i) => i % table.frameDim === 0);
  assert.equal(r.frame_emb!.min[0], Math.min(...dim0));
  assert.equal(r.frame_emb!.max[0], Math.max(...dim0));
  assert.equal(r.frame_emb!.min.length, table.frameDim);
});

test('accepted range = training range widened 10× its width each side, clipped at 0 where negatives are impossible', () => {
  const t = fitInputRanges(table, [0, 1, 2]);
  t.scalars.duration_s = { min: 10, max: 600 };
  t.scalars.prior_strikes = { min: 0, max: 0 };
  t.frame_emb = { min: Array(table.frameDim).fill(-0.5), max: Array(table.frameDim).fill(0.5) };
  const r = rangesFromTraining(t, { frameDim: table.frameDim, audioDim: table.audioDim });
  assert.equal(RANGE_WIDEN, 10);
  assert.deepEqual(r.scalars.duration_s, { min: 0, max: 600 + 10 * 590 });
  // A constant in training widens by 1 unit.
  assert.deepEqual(r.scalars.prior_strikes, { min: 0, max: 10 });
  assert.ok(Math.abs(r.frameEmb!.min[0] - -10.5) < 1e-6 && Math.abs(r.frameEmb!.max[0] - 10.5) < 1e-6);
  assert.equal(r.source, 'input_ranges.json');
});

test('old bundles: ranges from the fitted preprocessor (log1p mean ± 4 std), else fixed limits', () => {
  const dims = { frameDim: 2, audioDim: 1 };
  const pre = {
    meta: { numeric: [{ column: 'durationS', mean: 3, std: 1 }, { column: 'accountAgeDays', mean: 4, std: 2 }] },
    frames: { mean: [0, 1], std: [1, 0.1] }, audio: { mean: [0], std: [2] },
  };
  const r = rangesFromPreprocessor(pre, dims);
  assert.equal(r.source, 'preprocessor.json');
  const lo = Math.expm1(0), hi = Math.expm1(7);
  assert.ok(Math.abs(r.scalars.duration_s.max - (hi + 10 * (hi - lo))) < 1e-6);
  assert.deepEqual(r.scalars.prior_strikes, DEFAULT_LIMITS.prior_strikes);
  assert.deepEqual(r.scalars.frame_ts, DEFAULT_LIMITS.frame_ts);
  // Dim 1: mean 1, std 0.1 → training [0.6, 1.4], accepted [0.6 − 8, 1.4 + 8].
  assert.ok(Math.abs(r.frameEmb!.max[1] - 9.4) < 1e-5 && Math.abs(r.frameEmb!.min[1] - -7.4) < 1e-5);
  assert.equal(rangesFromPreprocessor({ kind: 'test' }, dims).source, 'default');
  assert.equal(defaultRanges(dims).frameEmb!.max[0], DEFAULT_LIMITS.embedding.max);
});

test('an out-of-range value is refused with 422 naming the field, the value and the accepted range', () => {
  const limits = { frameDim: TEST_CONFIG.frameDim, audioDim: TEST_CONFIG.audioDim, maxItems: 600, ranges: defaultRanges({ frameDim: TEST_CONFIG.frameDim, audioDim: TEST_CONFIG.audioDim }) };
  const base = validRequest(1);
  const emb = (base.frame_emb as number[][]).map((r) => [...r]);
  emb[2][5] = 1e10;
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ ...base, duration_s: 1e308 }, 'duration_s', /'duration_s' is 1\.000e\+308, outside the accepted range \[0, 604800\]/],
    [{ ...base, duration_s: 1e30 }, 'duration_s', /outside the accepted range/],
    [{ ...base, account_age_days: 3.5e38 }, 'account_age_days', /\[0, 36500\]/],
    [{ ...base, prior_strikes: 1e308 }, 'prior_strikes', /\[0, 10000\]/],
    [{ ...base, frame_emb: emb }, 'frame_emb[2]', /'frame_emb\[2\]' value 5 is 1\.000e\+10, outside the accepted range \[-10000, 10000\]/],
    [{ ...base, frame_ts: [0, 1, 1e308, 3] }, 'frame_ts[2]', /'frame_ts\[2\]' is .*outside the accepted range/],
    [{ ...base, audio_ts: [0, 1e9] }, 'audio_ts[1]', /outside the accepted range/],
    [{ ...base, upload_ts: 1e308 }, 'upload_ts', /within ±8\.64e15/],
  ];
  for (const [req, field, re] of cases) {
    const r = parseVideo(req, limits);
    assert.equal(r.ok, false, field);
    if (r.ok) continue;
    assert.equal(r.error.field, field);
    assert.ok(r.error.status === 422 || r.error.status === 400, `${field}: ${r.error.status}`);
    assert.match(r.error.message, re);
    assert.doesNotMatch(r.error.message, /Infinity|NaN/);
  }
  // In a batch the item prefix is kept; null (missing) is still accepted.
  const inBatch = parseVideo({ ...base, duration_s: 1e308 }, limits, '[3].');
  assert.equal(!inBatch.ok && inBatch.error.field, '[3].duration_s');
  assert.equal(parseVideo({ ...base, duration_s: null, account_age_days: null, prior_strikes: null }, limits).ok, true);
  // base64 embeddings are checked the same way.
  const f32 = new Float32Array(4 * TEST_CONFIG.frameDim);
  f32[TEST_CONFIG.frameDim + 3] = 1e10;
  const b64 = parseVideo({ ...base, frame_emb: Buffer.from(f32.buffer).toString('base64') }, limits);
  assert.equal(!b64.ok && b64.error.field, 'frame_emb[1]');
  const valid = parseVideo(base, limits);
  assert.ok(valid.ok && checkInputRanges(valid.value, limits.ranges) === null);
});

test('fmtNum never prints Infinity or NaN', () => {
  for (const x of [Infinity, -Infinity, NaN, 1e308, 3.4e38, 1e-9, 0, 12.3456789]) assert.doesNotMatch(fmtNum(x), /Infinity|NaN/);
});

test('a run folder with input_ranges.json serves with those ranges; a malformed one is neither written nor served', async () => {
  const run = makeRunFolder({ seed: 3 });
  const loadPreprocessor = () => testPreprocessor(TEST_CONFIG);
  try {
    const ranges: TrainingRanges = {
      formatVersion: 1, rows: 100,
      scalars: { duration_s: { min: 1, max: 60 }, account_age_days: { min: 0, max: 1000 }, prior_strikes: { min: 0, max: 3 }, frame_ts: { min: 0, max: 59 }, audio_ts: null },
      frame_emb: { min: Array(TEST_CONFIG.frameDim).fill(-4), max: Array(TEST_CONFIG.frameDim).fill(4) }, audio_emb: null,
    };
    const bundle: Omit<ServingBundle, 'inputRanges'> = {
      weights: run.weights, calibrator: run.calibrator, preprocessor: { kind: 'test', textDim: TEST_CONFIG.textDim },
      policy: { block_threshold: 0.9, queue_threshold: 0.5 }, modelVersion: 'run-test-1',
      reasonThresholds: { formatVersion: 1, tail: 0.01, modality: { meta: 0.5, visual: 0.5, audio: 0.5, text: 0.2 }, positiveRate: {}, account: { priorStrikes: 1, newAccountDays: 30 } },
    };
    writeServingBundle(run.dir, { ...bundle, inputRanges: ranges });
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    assert.equal(scorer.limits.ranges?.source, 'input_ranges.json');
    assert.deepEqual(scorer.limits.ranges?.scalars.prior_strikes, { min: 0, max: 33 });
    const r = parseVideo({ ...validRequest(1), prior_strikes: 40 }, scorer.limits);
    assert.equal(!r.ok && r.error.field, 'prior_strikes');
    assert.match(!r.ok ? r.error.message : '', /\[0, 33\].*source: input_ranges\.json/);
    await scorer.close();

    const bad: TrainingRanges = { ...ranges, scalars: { ...ranges.scalars, duration_s: { min: 5, max: 1 } } };
    // The writer checks the file against the same schema serving parses it with.
    assert.throws(() => writeServingBundle(run.dir, { ...bundle, inputRanges: bad }),
      (e: unknown) => e instanceof VigilError && e.field === 'input_ranges.json:scalars.duration_s');
    // Edited by hand and re-hashed into the manifest (so the checksum passes): refused by the schema, field named.
    const rangesPath = join(run.dir, 'input_ranges.json'), manifestPath = join(run.dir, 'manifest.json');
    writeFileSync(rangesPath, JSON.stringify(bad));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.serving.files['input_ranges.json'].sha256 = sha256(readFileSync(rangesPath));
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await assert.rejects(loadRunFolder(run.dir, { loadPreprocessor }), /input_ranges\.json: 'scalars\.duration_s' expected \{min, max\} with finite min <= max — refusing to serve/);
    // Tampering after export is caught by the manifest's sha256.
    writeFileSync(rangesPath, JSON.stringify(ranges));
    await assert.rejects(loadRunFolder(run.dir, { loadPreprocessor }), /input_ranges\.json sha256/);
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});
