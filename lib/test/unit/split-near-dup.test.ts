import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, randomVector, perturb } from '../fixtures/table.js';
import { syntheticTable } from '../fixtures/synthetic.js';
import { nearDupConfigSchema } from '../../src/split/config.js';
import { fitFingerprinter, fingerprintTable, fingerprintVideo, hamming, cosineFromHamming, maxHammingFor, shingleCounts } from '../../src/split/fingerprint.js';
import { clusterNearDuplicates, bandKey } from '../../src/split/nearDuplicates.js';
import { buildFingerprintIndex, lookupFingerprint, fingerprintIndexToJSON, fingerprintIndexFromJSON } from '../../src/split/fingerprintIndex.js';
import { reuploadRecall } from '../../src/split/reuploadRecall.js';
import { meanFrame } from '../../src/data/table.js';
import { createRng } from '../../src/util/rng.js';
import type { TruthTable } from '../../src/data/table.js';

const cfg = nearDupConfigSchema.parse({});

test('hamming, cosine estimate and threshold agree with hand values', () => {
  const a = Uint32Array.from([0b1011, 0xffffffff]);
  const b = Uint32Array.from([0b0001, 0x0000ffff]);
  assert.equal(hamming(a, 0, b, 0, 2), 2 + 16);
  assert.equal(cosineFromHamming(0, 64), 1);
  assert.ok(Math.abs(cosineFromHamming(32, 64)) < 1e-12); // half the bits differ → orthogonal
  // acos(0.9) = 0.4510 rad → 0.4510/π · 256 = 36.75 → 36
  assert.equal(maxHammingFor(0.9, 256), 36);
  assert.equal(maxHammingFor(1, 256), 0);
});

test('bandKey reads bits that straddle words', () => {
  const s = Uint32Array.from([0x80000000, 0x1]); // bit 31 and bit 32 set
  assert.equal(bandKey(s, 0, 2, 1, 16), 1 << 15); // band 1 = bits 16..31 → bit 31 is key bit 15
  assert.equal(bandKey(s, 0, 2, 2, 16), 1); // band 2 = bits 32..47
  assert.equal(bandKey(s, 0, 2, 0, 16), 0);
  assert.equal(bandKey(s, 0, 2, 1, 24), 0b11 << 7); // band 1 of 24 bits = bits 24..47 spans both words
});

test('SimHash Hamming distance tracks the true angle between pooled vectors', () => {
  const rng = createRng(3);
  const rows = Array.from({ length: 300 }, () => ({ frames: [randomVector(rng, 32)] }));
  const table = buildTable(rows, { frameDim: 32 });
  const fp = fitFingerprinter(table, nearDupConfigSchema.parse({ bits: 512 }), 1);
  const sigs = fingerprintTable(fp, table);
  const c = fp.frameCenter;
  let worst = 0;
  for (let k = 0; k < 50; k++) {
    const a = meanFrame(table, k), b = meanFrame(table, k + 100);
    let ab = 0, aa = 0, bb = 0;
    for (let j = 0; j < 32; j++) { const x = a[j] - c[j], y = b[j] - c[j]; ab += x * y; aa += x * x; bb += y * y; }
    const trueAngle = Math.acos(ab / Math.sqrt(aa * bb));
    const est = (Math.PI * hamming(sigs, k, sigs, k + 100, 16)) / 512;
    worst = Math.max(worst, Math.abs(est - trueAngle));
  }
  // Standard error of the angle estimate with 512 bits is ≤ π·sqrt(0.25/512) ≈ 0.07 rad.
  assert.ok(worst < 0.25, `worst angle error ${worst}`);
});

test('planted re-uploads are clustered with recall >= 0.95 and few false pairs', () => {
  const { table, truth } = syntheticTable({ n: 3000, days: 120, creators: 400, reuploadRate: 0.2, prevalence: 0.05, seed: 11 });
  const fp = fitFingerprinter(table, cfg, 5);
  const nd = clusterNearDuplicates(fingerprintTable(fp, table), table.n, fp.bits, cfg);
  const r = reuploadRecall(nd.cluster, table.videoId, truth);
  assert.ok(r.truePairs > 300, `planted pairs ${r.truePairs}`);
  assert.ok(r.recall >= 0.95, `recall ${r.recall}`);
  assert.ok(r.nonReuploadShare < 0.05, `non-re-upload share ${r.nonReuploadShare}`);
  // Banding examined far fewer pairs than all-pairs would (n²/2 = 4.5M).
  assert.ok(nd.candidates < 200_000, `candidates ${nd.candidates}`);
});

test('unrelated content stays apart; oversize buckets fall back to a window', () => {
  const rng = createRng(9);
  const base = randomVector(rng, 16);
  // 100 copies of one template (one huge bucket in every band) plus 100 unrelated videos.
  const rows = [
    ...Array.from({ length: 100 }, () => ({ frames: [perturb(rng, base, 0.01)] })),
    ...Array.from({ length: 100 }, () => ({ frames: [randomVector(rng, 16)] })),
  ];
  const table = buildTable(rows, { frameDim: 16 });
  const small = nearDupConfigSchema.parse({ maxBucket: 10, window: 4 });
  const fp = fitFingerprinter(table, small, 1);
  const nd = clusterNearDuplicates(fingerprintTable(fp, table), table.n, fp.bits, small);
  assert.ok(nd.oversizeBuckets > 0);
  const templ = new Set(Array.from(nd.cluster.subarray(0, 100)));
  assert.equal(templ.size, 1, 'template copies form one cluster');
  for (let i = 100; i < 200; i++) assert.ok(!templ.has(nd.cluster[i]), `row ${i} joined the template cluster`);
  assert.equal(nd.rowsInClusters, 100);
});

test('reuploadRecall counts pairs and families by hand', () => {
  const truth: TruthTable = { n: 5, videoId: ['a', 'b', 'c', 'd', 'e'], trueHarmful: new Int8Array(5), category: ['', '', '', '', ''],
    oracleP: new Float64Array(5), reuploadOf: [null, 'a', 'b', null, null] };
  // clusters: {a,b} {c,d,e} → true pairs (b,a) recalled, (c,b) missed; clustered pairs 1 + 3 = 4;
  // families {a,b,c} {d} {e}: related clustered pairs = (a,b) only → 3 non-re-upload pairs.
  const r = reuploadRecall(Int32Array.from([0, 0, 1, 1, 1]), truth.videoId, truth);
  assert.deepEqual([r.truePairs, r.recalled, r.recall], [2, 1, 0.5]);
  assert.deepEqual([r.clusteredPairs, r.nonReuploadPairs, r.nonReuploadShare], [4, 3, 0.75]);
  // d and e re-upload an original 'z' that is not stored: not a countable pair, but one family.
  const t2 = { ...truth, reuploadOf: [null, 'a', 'b', 'z', 'z'] };
  const r2 = reuploadRecall(Int32Array.from([0, 0, 1, 1, 1]), truth.videoId, t2);
  assert.deepEqual([r2.truePairs, r2.recalled, r2.nonReuploadPairs], [2, 1, 2]); // (c,d), (c,e) remain unrelated
});

test('known-content lookup finds the blocked original and survives JSON', () => {
  const { table } = syntheticTable({ n: 500, days: 30, creators: 100, reuploadRate: 0, prevalence: 0.1, seed: 2 });
  const fp = fitFingerprinter(table, cfg, 4);
  const sigs = fingerprintTable(fp, table);
  const index = buildFingerprintIndex(fp, table.videoId, sigs, { bandBits: cfg.bandBits, minCosine: 0.9 });
  const rng = createRng(1);
  const target = 123;
  const m = meanFrame(table, target);
  const upload = fingerprintVideo(fp, { frameMean: perturb(rng, Array.from(m), 0.02) });
  const hits = lookupFingerprint(index, upload);
  assert.equal(hits[0]?.videoId, table.videoId[target]);
  assert.ok(hits[0].cosine > 0.9);
  const back = fingerprintIndexFromJSON(JSON.parse(JSON.stringify(fingerprintIndexToJSON(index))));
  assert.deepEqual(lookupFingerprint(back, upload), hits);
  const stranger = fingerprintVideo(fp, { frameMean: randomVector(rng, 16) });
  assert.equal(lookupFingerprint(index, stranger).length, 0);
  assert.throws(() => lookupFingerprint(index, new Uint32Array(2)), /fingerprint/);
});

test('audio and transcript blocks join the fingerprint; shingles are order-aware', () => {
  const a = shingleCounts('the quick brown fox', 1024);
  const b = shingleCounts('fox brown quick the', 1024);
  assert.equal([...a.values()].reduce((s, v) => s + v, 0), 7); // 4 words + 3 bigrams
  assert.notDeepEqual(a, b);
  const rng = createRng(5);
  const v = randomVector(rng, 8);
  const rows = [
    { frames: [v], audio: [[1, 0, 0, 0]], transcript: 'hello world again and again' },
    { frames: [v], audio: [[0, 0, 0, 1]], transcript: 'something else entirely here now' },
    ...Array.from({ length: 40 }, () => ({ frames: [randomVector(rng, 8)], audio: [randomVector(rng, 4)], transcript: 'x y z w' })),
  ];
  const table = buildTable(rows);
  const framesOnly = fitFingerprinter(table, nearDupConfigSchema.parse({}), 1);
  const all = fitFingerprinter(table, nearDupConfigSchema.parse({ modalities: ['frames', 'audio', 'transcript'], audioWeight: 1, transcriptWeight: 1 }), 1);
  const s1 = fingerprintTable(framesOnly, table), s2 = fingerprintTable(all, table);
  assert.equal(hamming(s1, 0, s1, 1, 8), 0, 'identical frames → identical frame-only signature');
  assert.ok(hamming(s2, 0, s2, 1, 8) > 20, 'different audio and speech pull the signatures apart');
});
