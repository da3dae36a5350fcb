import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor, transform, preprocessorFromJSON, preprocessorSha } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { keptItems } from '../../src/features/sequence.js';
import { pooledFeatures } from '../../src/features/pooled.js';
import type { FittedHashedText } from '../../src/features/textFeaturizer.js';
import { VigilError } from '../../src/util/errors.js';
import { handTable, type HandRow } from '../fixtures/handTable.js';

const base: HandRow = { country: 'US', device: 'ios', age: 100, strikes: 0, dur: 10, hour: 6, frames: [[0, 0]], audio: [[1, 1]],
  transcript: 'hello', asr: 0.9, language: 'en', harmful: 0 };
const rows: HandRow[] = [
  { ...base, frames: [[1, 2], [3, 4]], audio: [[1, 0]] },
  { ...base, country: 'BR', age: NaN, strikes: NaN, frames: [[5, 6]], audio: null, transcript: null, asr: NaN, language: null },
  { ...base, country: 'US', device: 'web', age: 5, strikes: 3, hour: 0, frames: [[7, 8], [9, 10], [11, 12]], audio: [[3, 0], [5, 2]] },
];
const cfg = featuresConfigSchema.parse({ minLevelCount: 2, textBuckets: 64, coldStartDays: 30 });

test('metadata: rare levels pool to OTHER, missing indicators, cold start, hour cycle', () => {
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], cfg);
  assert.deepEqual(f.meta.countryLevels, ['US']); // BR seen once < 2
  assert.deepEqual(f.meta.deviceLevels, ['ios']); // web seen once
  const b = transform(f, t, [0, 1, 2]);
  const D = f.dims.meta;
  const row = (i: number) => Object.fromEntries(f.meta.names.map((n, j) => [n, b.meta[i * D + j]]));
  const r1 = row(1);
  assert.equal(r1['country=US'], 0);
  assert.equal(r1['country=OTHER'], 1);
  assert.equal(r1['missing_accountAgeDays'], 1);
  assert.equal(r1['missing_priorStrikes'], 1);
  assert.equal(r1['log1p_accountAgeDays'], 0);
  assert.equal(r1['cold_start'], 1);
  const r2 = row(2);
  assert.equal(r2['device=OTHER'], 1);
  assert.equal(r2['cold_start'], 1); // 5 days < 30
  assert.equal(row(0)['cold_start'], 0);
  assert.ok(Math.abs(r2['upload_hour_sin'] - 0) < 1e-6 && Math.abs(r2['upload_hour_cos'] - 1) < 1e-6);
  assert.ok(Math.abs(row(0)['upload_hour_sin'] - 1) < 1e-6);
  // priorStrikes: log1p over non-missing train values {0, 3}: mean = ln4/2, std = ln4/2 → row 2 standardises to +1.
  assert.ok(Math.abs(r2['log1p_priorStrikes'] - 1) < 1e-6);
  assert.ok(Math.abs(row(0)['log1p_priorStrikes'] + 1) < 1e-6);
});

test('sequences: standardised, padded to the batch max, masks; no audio → all-zero mask and avail 0', () => {
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], cfg);
  // Frame dim 0 over the 6 train frames {1,3,5,7,9,11}: mean 6, population std sqrt(35/3).
  assert.ok(Math.abs(f.frames.mean[0] - 6) < 1e-9);
  assert.ok(Math.abs(f.frames.std[0] - Math.sqrt(35 / 3)) < 1e-9);
  const b = transform(f, t, [0, 1]);
  assert.equal(b.T, 2);
  assert.equal(b.S, 1);
  assert.deepEqual(Array.from(b.frameMask), [1, 1, 1, 0]);
  assert.ok(Math.abs(b.frames[0] - (1 - 6) / Math.sqrt(35 / 3)) < 1e-6);
  assert.deepEqual(Array.from(b.frames.subarray(6, 8)), [0, 0]); // padding of row 1
  assert.deepEqual(Array.from(b.audioMask), [1, 0]);
  assert.deepEqual(Array.from(b.avail), [1, 1, 1, 1, 1, 1, 0, 0]);
  const b2 = transform(f, t, [2]);
  assert.equal(b2.T, 3);
  assert.equal(b2.S, 2);
});

test('maxSequence caps long sequences with evenly spaced items', () => {
  assert.deepEqual(keptItems(3, 5), [0, 1, 2]);
  assert.deepEqual(keptItems(10, 4), [0, 2, 5, 7]);
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], { ...cfg, maxSequence: 2 });
  const b = transform(f, t, [2]);
  assert.equal(b.T, 2);
  // kept frames 0 and 1 of [7,9,11] (floor(0*3/2)=0, floor(1*3/2)=1)
  assert.ok(Math.abs(b.frames[2] - (9 - 6) / Math.sqrt(35 / 3)) < 1e-6);
});

test('text: hashed TF-IDF matches a hand computation and is deterministic', async () => {
  const { hashBucket, textGrams } = await import('../../src/features/textFeaturizer.js');
  const big = featuresConfigSchema.parse({ minLevelCount: 1, text: 'hashed', textBuckets: 65536, textLinear: false });
  const t = handTable([{ ...base, transcript: 'a' }, { ...base, transcript: 'A b' }, { ...base, transcript: null, language: null }]);
  assert.deepEqual(textGrams('a'), ['w:a', 'c: a ']);
  const f = fitPreprocessor(t, [0, 1, 2], big);
  const b = transform(f, t, [0, 1, 2]);
  const D = f.dims.text;
  const at = (row: number, gram: string) => b.text[row * D + hashBucket(gram, 65536)];
  // N = 2 transcripts. df(w:a) = df(c: a ) = 2 → idf 1; df(b:a b) = df(w:b) = df(c: b ) = 1 → idf ln(3/2)+1.
  // L2-normalised, times termScale = √(mean non-zero buckets) = √((2 + 5) / 2) over the two train transcripts.
  const c = Math.sqrt(3.5);
  assert.ok(Math.abs(f.text.termScale! - Math.round(c * 1000) / 1000) < 1e-12);
  const k = f.text.termScale!;
  assert.ok(Math.abs(at(0, 'w:a') - k * Math.SQRT1_2) < 1e-6);
  assert.ok(Math.abs(at(0, 'c: a ') - k * Math.SQRT1_2) < 1e-6);
  const hi = Math.log(1.5) + 1;
  const norm = Math.sqrt(2 + 3 * hi * hi);
  assert.ok(Math.abs(at(1, 'w:a') - k / norm) < 1e-6);
  assert.ok(Math.abs(at(1, 'b:a b') - (k * hi) / norm) < 1e-6);
  // A version-1 preprocessor (saved before the factor and the `kind` tag) keeps its unit-L2 text vectors.
  const { termScale: _s, kind: _k, ...textV1 } = f.text as FittedHashedText;
  const bodyV1 = { ...f, version: 1, text: textV1 } as Record<string, unknown>;
  delete bodyV1.sha;
  const v1 = preprocessorFromJSON({ ...bodyV1, sha: preprocessorSha(bodyV1 as never) });
  const b1 = transform(v1, t, [0, 1]);
  assert.ok(Math.abs(b1.text[hashBucket('w:a', 65536)] - Math.SQRT1_2) < 1e-6);
  assert.ok(Math.abs(b1.text[D + hashBucket('b:a b', 65536)] - hi / Math.sqrt(2 + 3 * hi * hi)) < 1e-6);
  // After the hashed block: asr confidence, then language one-hot (en, OTHER, NONE).
  assert.ok(Math.abs(b.text[65536] - 0.9) < 1e-6);
  assert.deepEqual(Array.from(b.text.subarray(65537, 65540)), [1, 0, 0]);
  assert.deepEqual(Array.from(b.text.subarray(2 * D, 2 * D + 65536)).filter((x) => x !== 0), []);
  assert.deepEqual(Array.from(b.text.subarray(2 * D + 65537, 2 * D + 65540)), [0, 0, 1]);
  assert.equal(b.avail[2 * 4 + 3], 0);
  // Any script tokenises; same input, same vector.
  const again = transform(fitPreprocessor(t, [0, 1, 2], big), t, [0, 1, 2]);
  assert.deepEqual(Array.from(again.text), Array.from(b.text));
  assert.deepEqual(textGrams('Привет мир').slice(0, 2), ['w:привет', 'b:привет мир']);
});

test('fitted preprocessor is versioned JSON with a verified sha', () => {
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], cfg);
  const back = preprocessorFromJSON(JSON.parse(JSON.stringify(f)));
  assert.equal(back.sha, f.sha);
  assert.deepEqual(transform(back, t, [0, 1, 2]).meta, transform(f, t, [0, 1, 2]).meta);
  const tampered = JSON.parse(JSON.stringify(f));
  tampered.frames.mean[0] = 0;
  assert.throws(() => preprocessorFromJSON(tampered), (e: unknown) => e instanceof VigilError && /preprocessor\.sha/.test(e.message));
  assert.throws(() => preprocessorFromJSON({ ...f, version: 99 }), /preprocessor\.version/);
});

test('bad input: frame dimension disagreeing with the fit, row out of range, empty train', () => {
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], cfg);
  const wide = handTable(rows.map((r) => ({ ...r, frames: r.frames.map((x) => [...x, 0]) })));
  assert.throws(() => transform(f, wide, [0]), (e: unknown) => e instanceof VigilError && /frame_emb/.test(e.message) && /3/.test(e.message));
  assert.throws(() => transform(f, t, [5]), (e: unknown) => e instanceof VigilError && /rows/.test(e.message));
  assert.throws(() => fitPreprocessor(t, [], cfg), /trainRows/);
});

test('pooled features: mean and max of standardised frames, mean audio', () => {
  const t = handTable(rows);
  const f = fitPreprocessor(t, [0, 1, 2], cfg);
  const P = pooledFeatures(f, t, [2]);
  const col = (name: string) => P.X[P.names.indexOf(name)];
  const z = (x: number) => (x - 6) / Math.sqrt(35 / 3);
  assert.ok(Math.abs(col('frame_mean_0') - z(9)) < 1e-6);
  assert.ok(Math.abs(col('frame_max_0') - z(11)) < 1e-6);
  // audio dim 0 over train segments {1,3,5}: mean 3, std sqrt(8/3); row 2 mean of (3,5) → 4.
  assert.ok(Math.abs(col('audio_mean_0') - 1 / Math.sqrt(8 / 3)) < 1e-6);
  assert.equal(col('audio_available'), 1);
  assert.equal(P.d, P.names.length);
});
