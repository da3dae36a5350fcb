import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { parseVideo, videosToTable } from '../../src/serve/request.js';
import { referenceForward, textTowerLogit } from '../helpers/referenceForward.js';
import { policyAction } from '../../src/serve/scorer.js';
import { scoreJsonl } from '../../src/serve/jsonl.js';
import { VigilError } from '../../src/util/errors.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

const loadPreprocessor = () => testPreprocessor(TEST_CONFIG);

test('scores match the reference forward pass on the same preprocessing; actions follow the policy', async () => {
  const run = makeRunFolder({ seed: 3 });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    const videos = [validRequest(1, 1, 0), validRequest(2, 30, 5), { ...validRequest(3, 7, 0), transcript: null, audio_emb: null, audio_ts: null }]
      .map((r) => { const p = parseVideo(r, scorer.limits); assert.ok(p.ok); return p.value; });
    const out = await scorer.scoreVideos(videos);
    const ref = referenceForward(run.weights, run.calibrator, testPreprocessor(TEST_CONFIG).transform(videosToTable(videos, scorer.limits), [0, 1, 2]));
    out.forEach((r, i) => {
      assert.equal(r.video_id, videos[i].videoId);
      assert.ok(Math.abs(r.risk_score - ref.risk[i]) < 1e-5, `risk ${r.risk_score} vs reference ${ref.risk[i]}`);
      assert.equal(r.action, policyAction(r.risk_score, scorer.policy));
      assert.equal(r.model_version, 'run-test-1');
      assert.equal(r.policy_version, 'policy-test-1');
      assert.ok(r.latency_ms >= 0);
    });
    assert.ok(out[2].reason_codes.some((c) => c.code === 'MODALITY_MISSING' && c.modality === 'audio'));
    assert.ok(out[2].reason_codes.some((c) => c.code === 'MODALITY_MISSING' && c.modality === 'text'));
    assert.ok(out[0].reason_codes.some((c) => c.code === 'ACCOUNT_RISK' && /2 prior strikes/.test(c.message)));
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('action thresholds: hand-picked policies', () => {
  const p = { blockThreshold: 0.9, queueThreshold: 0.5, blockEnabled: true, version: 'x' };
  assert.equal(policyAction(0.95, p), 'BLOCK');
  assert.equal(policyAction(0.95, { ...p, blockEnabled: false }), 'QUEUE');
  assert.equal(policyAction(0.9, p), 'BLOCK');
  assert.equal(policyAction(0.5, p), 'QUEUE');
  assert.equal(policyAction(0.49, p), 'ALLOW');
});

test('transcript terms: the word that drives the text tower is named', async () => {
  // Thresholds so low that every signal is "high"; the text tower is the only one that reacts to words.
  const run = makeRunFolder({ seed: 5, reasons: {
    formatVersion: 1, tail: 0.01, modality: { meta: 1e9, visual: 1e9, audio: 1e9, text: -1e9 },
    positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 99, newAccountDays: 0 },
  } });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    const p = parseVideo({ ...validRequest(4), transcript: 'alpha beta gamma delta alpha' }, scorer.limits);
    assert.ok(p.ok);
    const [r] = await scorer.scoreVideos([p.value]);
    const code = r.reason_codes.find((c) => c.code === 'TRANSCRIPT_HIGH');
    assert.ok(code, JSON.stringify(r.reason_codes));
    const terms = (code.evidence as { matched_terms: { term: string; contribution: number }[] }).matched_terms;
    for (const t of terms) assert.ok(['alpha', 'beta', 'gamma', 'delta'].includes(t.term) && t.contribution > 0);
    for (let k = 1; k < terms.length; k++) assert.ok(terms[k - 1].contribution >= terms[k].contribution);
    // Independent check: the reference text tower on the preprocessed text with and without the top term.
    const pre = testPreprocessor(TEST_CONFIG);
    const textLogit = (text: string) => {
      const x = pre.transform(videosToTable([{ ...p.value, transcript: text }], scorer.limits), [0]);
      return textTowerLogit(run.weights, x.text);
    };
    const full = textLogit('alpha beta gamma delta alpha');
    const without = textLogit('alpha beta gamma delta alpha'.split(' ').filter((w) => w !== terms[0].term).join(' '));
    assert.ok(Math.abs(full - without - terms[0].contribution) < 1e-4, `${full - without} vs ${terms[0].contribution}`);
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('known content is blocked with a KNOWN_CONTENT code whatever the model says', async () => {
  const run = makeRunFolder({ seed: 6, policy: { block_threshold: 1, queue_threshold: 1 }, knownContent: { test: true } });
  try {
    const { scorer } = await loadRunFolder(run.dir, {
      loadPreprocessor,
      // The lookup itself (fingerprints) is tested with the index; here: what the scorer does with a match.
      loadKnownContent: () => (v) => (v.videoId === 'v8' ? { videoId: 'blocked-1', cosine: 0.97 } : null),
    });
    const vids = [validRequest(8), validRequest(9)].map((r) => { const p = parseVideo(r, scorer.limits); assert.ok(p.ok); return p.value; });
    const [hit, miss] = await scorer.scoreVideos(vids);
    assert.equal(hit.action, 'BLOCK');
    assert.equal(hit.reason_codes[0].code, 'KNOWN_CONTENT');
    assert.match(hit.reason_codes[0].message, /blocked-1/);
    assert.equal(miss.action, 'ALLOW'); // thresholds at 1: nothing reaches them
    assert.ok(!miss.reason_codes.some((c) => c.code === 'KNOWN_CONTENT'));
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('a run folder whose files do not match the manifest is refused', async () => {
  const expectRefused = async (mutate: (dir: string) => void, pattern: RegExp) => {
    const run = makeRunFolder({ seed: 7 });
    try {
      mutate(run.dir);
      await assert.rejects(loadRunFolder(run.dir, { loadPreprocessor }), (e: unknown) => e instanceof VigilError && pattern.test(e.message) && /refusing/.test(e.message));
    } finally { rmSync(run.dir, { recursive: true, force: true }); }
  };
  await expectRefused((d) => writeFileSync(join(d, 'policy.json'), JSON.stringify({ block_threshold: 0.1, queue_threshold: 0.05 })), /policy\.json sha256/);
  await expectRefused((d) => { const b = readFileSync(join(d, 'model.onnx')); b[b.length - 1] ^= 1; writeFileSync(join(d, 'model.onnx'), b); }, /model\.onnx sha256/);
  await expectRefused((d) => unlinkSync(join(d, 'preprocessor.json')), /preprocessor\.json is missing/);
  await expectRefused((d) => unlinkSync(join(d, 'manifest.json')), /manifest\.json is missing/);
  await expectRefused((d) => {
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    m.serving.modelVersion = 'run-other';
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
  }, /exported as version 'run-test-1'/);
  await expectRefused((d) => writeFileSync(join(d, 'known_content.json'), '{}'), /not listed in the manifest/);
});

test('JSONL scoring: one output line per input line, in order; bad lines name the field and do not stop the run', async () => {
  const run = makeRunFolder({ seed: 8 });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    const inPath = join(run.dir, 'in.jsonl');
    writeFileSync(inPath, [JSON.stringify(validRequest(1)), '{"video_id": ', '', JSON.stringify({ ...validRequest(2), upload_hour: 99 }), JSON.stringify(validRequest(3))].join('\n'));
    const out: string[] = [];
    const s = await scoreJsonl(scorer, inPath, (l) => { out.push(l); }, { batchSize: 2 });
    // The blank third line is an input line too: an error record at its own line number.
    assert.deepEqual([s.lines, s.scored, s.errors], [5, 2, 3]);
    const recs = out.map((l) => JSON.parse(l));
    assert.equal(recs.length, 5);
    assert.equal(recs[0].video_id, 'v1');
    assert.deepEqual([recs[1].line, recs[1].field], [2, 'body']);
    assert.deepEqual([recs[2].line, recs[2].field], [3, 'line']);
    assert.deepEqual([recs[3].line, recs[3].video_id, recs[3].field], [4, 'v2', 'upload_hour']);
    assert.equal(recs[4].video_id, 'v3');
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('the serving bundle merges into an existing manifest and lists every file with its sha256', async () => {
  const { writeServingBundle } = await import('../../src/export/bundle.js');
  const { sha256 } = await import('../../src/util/hash.js');
  const run = makeRunFolder({ seed: 9 });
  try {
    writeFileSync(join(run.dir, 'manifest.json'), JSON.stringify({ config: { name: 'x' }, timings: { train: 3 } }));
    const s = writeServingBundle(run.dir, {
      weights: run.weights, calibrator: run.calibrator, preprocessor: { a: 1 }, policy: { block_threshold: 0.8, queue_threshold: 0.3 },
      reasonThresholds: { formatVersion: 1, tail: 0.01, modality: { meta: null, visual: 1, audio: 1, text: 1 }, positiveRate: {}, account: { priorStrikes: 1, newAccountDays: 30 } },
      modelVersion: 'run-b',
    });
    const m = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(m.config, { name: 'x' });
    assert.equal(m.serving.modelVersion, 'run-b');
    assert.deepEqual(Object.keys(s.files).sort(), ['model.onnx', 'policy.json', 'preprocessor.json', 'reason_codes.json']);
    for (const [name, f] of Object.entries(s.files)) assert.equal(f.sha256, sha256(readFileSync(join(run.dir, name))));
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    assert.equal(scorer.modelVersion, 'run-b');
    assert.match(scorer.policy.version, /^policy-[0-9a-f]{12}$/);
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('a preprocessing that caps long videos: attention evidence maps back to the kept frames', async () => {
  const run = makeRunFolder({ seed: 10, reasons: {
    formatVersion: 1, tail: 0.01, modality: { meta: 1e9, visual: -1e9, audio: 1e9, text: 1e9 },
    positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 99, newAccountDays: 0 },
  } });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG, 4) });
    // 10 frames at t = 100, 101, ... capped to 4 kept frames: indices 0, 2, 5, 7.
    const long = parseVideo({ ...validRequest(11, 10, 2), frame_ts: Array.from({ length: 10 }, (_, i) => 100 + i) }, scorer.limits);
    const short = parseVideo(validRequest(12, 2, 1), scorer.limits);
    assert.ok(long.ok && short.ok);
    const [r] = await scorer.scoreVideos([long.value, short.value]);
    const vis = r.reason_codes.find((c) => c.code === 'VISUAL_HIGH')!;
    const ev = vis.evidence as { frame_range_s: number[]; top_frames: { t_s: number }[] };
    for (const f of ev.top_frames) assert.ok([100, 102, 105, 107].includes(f.t_s), `frame time ${f.t_s} is not a kept frame`);
    assert.ok(ev.frame_range_s.every((t) => [100, 102, 105, 107].includes(t)));
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});
