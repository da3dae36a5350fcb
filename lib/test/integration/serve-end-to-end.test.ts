import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/generate.js';
import { getPreset } from '../../src/simulate/presets.js';
import { takeRows } from '../../src/data/table.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import { parseConfig } from '../../src/config.js';
import { fitPreprocessor, transform, type FittedPreprocessor } from '../../src/features/preprocess.js';
import { initBackend } from '../../src/model/backend.js';
import { predictFusion } from '../../src/model/predict.js';
import { fitCalibrator } from '../../src/calibrate/fit.js';
import { applyCalibrator } from '../../src/calibrate/apply.js';
import { fitFingerprinter } from '../../src/split/fingerprint.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { writeServingBundle } from '../../src/export/bundle.js';
import type { Calibrator, FusionWeights } from '../../src/export/contract.js';
import { openFusionSession } from '../../src/serve/onnxSession.js';
import { fitReasonThresholds } from '../../src/serve/reasonThresholds.js';
import { buildKnownContent, loadKnownContent } from '../../src/serve/knownContent.js';
import { loadFittedPreprocessor } from '../../src/serve/fittedPreprocessing.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { parseVideo } from '../../src/serve/request.js';
import { requestFromTable } from '../../src/serve/requestFromTable.js';
import type { Scorer } from '../../src/serve/scorer.js';
import { main } from '../../src/cli/main.js';
import { createRng } from '../../src/util/rng.js';

/**
 * A run folder built the way the pipeline builds one — simulated data, a time split, the fitted
 * preprocessing, a calibrator and reason thresholds fitted on the calibration window, a known-content
 * index of blocked training videos — then served through the real loaders.
 */
const sim = simulate(getPreset('tiny'), 4);
const table = sim.table;
const order = Array.from({ length: table.n }, (_, i) => i).sort((a, b) => table.uploadTs[a] - table.uploadTs[b]);
const trainRows = order.slice(0, Math.floor(table.n * 0.7));
const calibRows = order.slice(Math.floor(table.n * 0.7), Math.floor(table.n * 0.85));
const testRows = order.slice(Math.floor(table.n * 0.85));
const cfg = parseConfig({});
let dir: string;
let fitted: FittedPreprocessor;
let weights: FusionWeights;
let cal: Calibrator;
let blocked: Set<string>;
let scorer: Scorer;
let expectedReasons: ReturnType<typeof fitReasonThresholds>;

before(async () => {
  await initBackend('auto');
  dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  fitted = fitPreprocessor(table, trainRows, cfg.features);
  weights = randomFusionWeights({
    towers: ['meta', 'visual', 'audio', 'text'], pooling: 'attention', fusion: 'mlp', hidden: 32, attentionDim: 16, fusionHidden: 8,
    metaDim: fitted.dims.meta, frameDim: fitted.dims.frame, audioDim: fitted.dims.audio, textDim: fitted.dims.text,
  }, createRng(21));
  // Logits and modality logits on the calibration window from the exported graph itself.
  const raw = await openFusionSession(buildFusionOnnx(weights, { method: 'platt', shift: 0, a: 1, b: 0 }));
  const logits: number[] = [], ml: number[] = [], avail: number[] = [];
  for (let k = 0; k < calibRows.length; k += 128) {
    const x = transform(fitted, table, calibRows.slice(k, k + 128));
    const o = await raw.run(x);
    logits.push(...o.logit); ml.push(...o.modalityLogits); avail.push(...x.avail);
  }
  await raw.release();
  const labels = calibRows.map((i) => table.harmful[i]), w = calibRows.map((i) => table.weight[i]);
  cal = fitCalibrator(logits, labels, w, { methods: ['platt', 'isotonic'], negativeKeepRate: 0.25 });
  expectedReasons = fitReasonThresholds(ml, labels, w, { avail, modelVersion: 'run-e2e' });
  const fp = fitFingerprinter(takeRows(table, trainRows), cfg.split.nearDup, 7);
  const blockedRows = trainRows.filter((i) => table.harmful[i] === 1);
  blocked = new Set(blockedRows.map((i) => table.videoId[i]));
  writeServingBundle(dir, {
    weights, calibrator: cal, preprocessor: fitted, reasonThresholds: expectedReasons, modelVersion: 'run-e2e',
    policy: { version: 'policy-e2e', block_threshold: 0.9, queue_threshold: 0.2, block_enabled: true },
    knownContent: buildKnownContent(fp, table, blockedRows, { bandBits: cfg.split.nearDup.bandBits, minCosine: cfg.split.nearDup.minCosine }),
  });
  scorer = (await loadRunFolder(dir, { loadPreprocessor: loadFittedPreprocessor, loadKnownContent })).scorer;
});
after(async () => {
  await scorer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a dataset row sent as a request scores exactly as the TF.js model scores that row', async () => {
  const rows = testRows.filter((i) => !blocked.has(sim.truth.reuploadOf[i] ?? '')).slice(0, 60);
  const videos = rows.map((i, k) => {
    const p = parseVideo(JSON.parse(JSON.stringify(requestFromTable(table, i, { base64: k % 2 === 0 }))), scorer.limits);
    assert.ok(p.ok, JSON.stringify(!p.ok && p.error));
    return p.value;
  });
  const out = await scorer.scoreVideos(videos);
  const ref = applyCalibrator(cal, predictFusion(weights, transform(fitted, table, rows)).logit);
  out.forEach((r, k) => {
    assert.equal(r.video_id, table.videoId[rows[k]]);
    assert.ok(Math.abs(r.risk_score - ref[k]) <= 1e-4, `${r.video_id}: served ${r.risk_score} vs TF.js ${ref[k]}`);
  });
});

test('known content: blocked videos and their re-uploads are flagged, unrelated uploads are not', async (t) => {
  const byId = new Map(table.videoId.map((id, i) => [id, i]));
  const score = async (rows: number[]) => scorer.scoreVideos(rows.map((i) => {
    const p = parseVideo(requestFromTable(table, i), scorer.limits);
    assert.ok(p.ok);
    return p.value;
  }));
  const again = await score([...blocked].slice(0, 20).map((id) => byId.get(id)!));
  for (const r of again) {
    assert.equal(r.action, 'BLOCK');
    assert.equal(r.reason_codes[0].code, 'KNOWN_CONTENT');
  }
  const reuploads = testRows.filter((i) => blocked.has(sim.truth.reuploadOf[i] ?? ''));
  const unrelated = testRows.filter((i) => sim.truth.reuploadOf[i] === null && table.harmful[i] === 0).slice(0, 400);
  const hits = (rs: Awaited<ReturnType<typeof score>>) => rs.filter((r) => r.reason_codes.some((c) => c.code === 'KNOWN_CONTENT')).length;
  const ru = reuploads.length > 0 ? hits(await score(reuploads)) / reuploads.length : NaN;
  const fp = hits(await score(unrelated)) / unrelated.length;
  t.diagnostic(`re-uploads of blocked videos flagged: ${(ru * 100).toFixed(1)}% of ${reuploads.length}; unrelated uploads flagged: ${(fp * 100).toFixed(2)}% of ${unrelated.length}`);
  assert.ok(reuploads.length === 0 || ru >= 0.5, `only ${ru} of re-uploads flagged`);
  assert.ok(fp <= 0.01, `${fp} of unrelated uploads flagged`);
});

test('vigil score over a JSONL file uses the same path', async () => {
  const rows = testRows.slice(0, 12);
  const inPath = join(dir, 'in.jsonl'), outPath = join(dir, 'out.jsonl');
  writeFileSync(inPath, rows.map((i) => JSON.stringify(requestFromTable(table, i, { base64: true }))).join('\n') + '\n{"video_id": 5}\n');
  const code = await main(['score', '--run', dir, inPath, outPath]);
  assert.equal(code, 0);
  const lines = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 13);
  const direct = await scorer.scoreVideos(rows.map((i) => { const p = parseVideo(requestFromTable(table, i), scorer.limits); assert.ok(p.ok); return p.value; }));
  lines.slice(0, 12).forEach((l, k) => {
    assert.equal(l.video_id, direct[k].video_id);
    assert.ok(Math.abs(l.risk_score - direct[k].risk_score) < 1e-6);
    assert.equal(l.model_version, 'run-e2e');
    assert.equal(l.policy_version, 'policy-e2e');
  });
  assert.deepEqual([lines[12].line, lines[12].field], [13, 'video_id']);
});

test('vigil score --dataset over a week-partitioned store gives each row the response its request gets', async () => {
  const rows = testRows.slice(0, 40);
  const store = join(dir, 'store');
  await writeVideoTable(join(store, 'videos.parquet'), takeRows(table, rows), { partitionBy: 'week', partRows: 16 });
  const stored = await readVideoTable(store);
  const outPath = join(dir, 'store-scores.jsonl');
  assert.equal(await main(['score', '--run', dir, '--dataset', store, outPath, '--batch', '8']), 0);
  const lines = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.video_id), stored.videoId);
  const byId = new Map(table.videoId.map((id, i) => [id, i]));
  const direct = await scorer.scoreVideos(stored.videoId.map((id) => { const p = parseVideo(requestFromTable(table, byId.get(id)!), scorer.limits); assert.ok(p.ok); return p.value; }));
  lines.forEach((l, k) => {
    assert.ok(Math.abs(l.risk_score - direct[k].risk_score) < 1e-9, l.video_id);
    assert.equal(l.action, direct[k].action);
    assert.deepEqual(l.reason_codes.map((c: { code: string }) => c.code), direct[k].reason_codes.map((c) => c.code));
  });
});

test('the bundle carries the reason thresholds and every file in the manifest', () => {
  const written = JSON.parse(readFileSync(join(dir, 'reason_codes.json'), 'utf8'));
  assert.deepEqual(written.modality, expectedReasons.modality);
  assert.equal(written.modelVersion, 'run-e2e');
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(Object.keys(m.serving.files).sort(), ['known_content.json', 'model.onnx', 'policy.json', 'preprocessor.json', 'reason_codes.json']);
});

test('the fitted preprocessing never throws on what validation accepts (300 mutated dataset rows)', async () => {
  const rng = createRng(77);
  const junk = [null, '', 'zz', 'Ünïcödé 🚀', 0, 23, 1e6, 0.5, [], ' '.repeat(50), 'word '.repeat(2000)];
  const fields = ['creator_id', 'country', 'device', 'account_age_days', 'prior_strikes', 'upload_hour', 'duration_s', 'transcript', 'asr_confidence', 'language', 'audio_emb', 'audio_ts', 'upload_ts'];
  let accepted = 0;
  for (let k = 0; k < 300; k++) {
    const req = requestFromTable(table, testRows[k % testRows.length], { base64: k % 2 === 0 }) as Record<string, unknown>;
    for (let m = 0; m < 1 + rng.int(3); m++) req[fields[rng.int(fields.length)]] = junk[rng.int(junk.length)];
    const p = parseVideo(req, scorer.limits);
    if (!p.ok) continue;
    accepted++;
    const [r] = await scorer.scoreVideos([p.value]);
    assert.ok(r.risk_score >= 0 && r.risk_score <= 1, JSON.stringify(r));
  }
  // 1e6 for a duration, account age or strike count is outside the run's accepted input ranges now.
  assert.ok(accepted > 40, `only ${accepted} accepted`);
});
