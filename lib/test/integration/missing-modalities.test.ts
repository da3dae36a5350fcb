import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import type { VideoTable } from '../../src/data/table.js';
import { fitPreprocessor, transform } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { modelConfigSchema } from '../../src/model/config.js';
import { explicitTrain } from '../fixtures/trainConfig.js';
import { presentTowers } from '../../src/model/presentTowers.js';
import { trainFusion, rowsOfSplit } from '../../src/model/train.js';
import { scoreFusion } from '../../src/model/score.js';
import { predictFusion } from '../../src/model/predict.js';
import { initBackend } from '../../src/model/backend.js';
import { compareModels } from '../../src/model/compare.js';
import { applyCalibrator } from '../../src/calibrate/apply.js';
import type { Calibrator } from '../../src/calibrate/types.js';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { writeServingBundle } from '../../src/export/bundle.js';
import { checkParity } from '../../src/pipeline/serving.js';
import { fitReasonThresholds } from '../../src/serve/reasonThresholds.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { loadFittedPreprocessor } from '../../src/serve/fittedPreprocessing.js';
import { parseVideo } from '../../src/serve/request.js';
import { requestFromTable } from '../../src/serve/requestFromTable.js';
import { selfCheck } from '../../src/serve/selfCheck.js';
import { measureLatency } from '../../src/serve/latency.js';
import { startServer } from '../../src/serve/server.js';
import type { Scorer } from '../../src/serve/scorer.js';
import { buildReference, computeDrift } from '../../src/monitor/drift.js';
import { CALIB, TEST, TRAIN } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';
import { synthVideos } from '../fixtures/synthVideos.js';

/**
 * Datasets missing whole modalities (no frames, no audio, no transcripts): the missing modality is
 * not a tower, and the model still trains, exports, matches onnxruntime, serves and scores.
 */
const base = synthVideos({ n: 360, seed: 5, signal: 4 });
const split = base.split;
const trainRows = rowsOfSplit(split, TRAIN), calibRows = rowsOfSplit(split, CALIB), testRows = rowsOfSplit(split, TEST);

/** The same videos with whole modalities removed, laid out as the loader lays out an absent modality. */
function without(t: VideoTable, drop: Drop): VideoTable {
  const n = t.n;
  return {
    ...t,
    ...(drop.frames ? { frameDim: 0, frameOffsets: new Int32Array(n + 1), frameTs: new Float32Array(0), frameEmb: new Float32Array(0) } : {}),
    ...(drop.audio ? { audioDim: 0, hasAudio: new Uint8Array(n), audioOffsets: new Int32Array(n + 1), audioTs: new Float32Array(0), audioEmb: new Float32Array(0) } : {}),
    ...(drop.text ? { transcript: new Array(n).fill(null), language: new Array(n).fill(null), asrConfidence: new Float32Array(n).fill(NaN) } : {}),
  };
}

type Drop = { frames?: boolean; audio?: boolean; text?: boolean };
const CASES: { name: string; drop: Drop; towers: string[] }[] = [
  { name: 'text-only (meta + text)', drop: { frames: true, audio: true }, towers: ['meta', 'text'] },
  { name: 'no audio (meta + visual + text)', drop: { audio: true }, towers: ['meta', 'visual', 'text'] },
  { name: 'no text (meta + visual + audio)', drop: { text: true }, towers: ['meta', 'visual', 'audio'] },
  { name: 'visual-only plus meta', drop: { audio: true, text: true }, towers: ['meta', 'visual'] },
];

const features = featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 64 });
const model = modelConfigSchema.parse({ hidden: 8, attentionDim: 4, fusionHidden: 4 });
const train = explicitTrain({ epochs: 2, batchSize: 64, negativeKeepRate: 0.5, noise: 'none', learningRate: 0.01 });
const INPUTS: Record<string, string[]> = { meta: ['meta'], visual: ['frames', 'frame_mask'], audio: ['audio', 'audio_mask'], text: ['text'] };
const dirs: string[] = [];

before(async () => { await initBackend('auto'); });
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test('presentTowers keeps configured towers the training rows can feed and says why the others left', async () => {
  const textOnly = without(base.table, { frames: true, audio: true });
  const r = presentTowers(textOnly, trainRows, ['meta', 'visual', 'audio', 'text']);
  assert.deepEqual(r.towers, ['meta', 'text']);
  assert.deepEqual(r.dropped.map((d) => d.tower), ['visual', 'audio']);
  assert.match(r.dropped[0].reason, /frame_emb dimension 0/);
  assert.match(r.dropped[1].reason, /audio_emb dimension 0/);
  // Not configured is not dropped; the order is always meta, visual, audio, text.
  assert.deepEqual(presentTowers(base.table, trainRows, ['text', 'meta']), { towers: ['meta', 'text'], dropped: [] });
  // Audio present in the dataset but in no training row.
  const lateAudio = { ...base.table, hasAudio: base.table.hasAudio.map((h, i) => (trainRows.includes(i) ? 0 : h)) };
  assert.deepEqual(presentTowers(lateAudio, trainRows, ['meta', 'audio']).dropped, [{ tower: 'audio', reason: 'no training row has audio' }]);
  // Blank transcripts are no text.
  const blank = { ...base.table, transcript: base.table.transcript.map((t) => (t === null ? null : '  ')) };
  assert.equal(presentTowers(blank, trainRows, ['meta', 'text']).dropped[0]?.tower, 'text');
  assert.throws(() => presentTowers(textOnly, trainRows, ['visual', 'audio']), (e: unknown) => e instanceof VigilError && /model\.towers/.test(e.message) && /visual/.test(e.message));
  assert.throws(() => presentTowers(base.table, trainRows, ['meta', 'smell']), (e: unknown) => e instanceof VigilError && /smell/.test(e.message));
  // trainFusion itself still refuses a configured tower without data (the pipeline narrows first).
  await assert.rejects(trainFusion(textOnly, split, fitPreprocessor(textOnly, trainRows, features), { model, train }, { quiet: true }),
    (e: unknown) => e instanceof VigilError && /'visual' is configured/.test(e.message));
});

for (const c of CASES) {
  test(`${c.name}: trains, exports with inputs only for its towers, matches onnxruntime, serves and scores`, async () => {
    const table = without(base.table, c.drop);
    const fitted = fitPreprocessor(table, trainRows, features);
    if (c.drop.frames) assert.equal(fitted.dims.frame, 0);
    if (c.drop.audio) assert.equal(fitted.dims.audio, 0);
    const { towers, dropped } = presentTowers(table, trainRows, model.towers);
    const has = (t: string) => (towers as string[]).includes(t);
    assert.deepEqual(towers, c.towers);
    assert.equal(dropped.length, 4 - c.towers.length);

    const res = await trainFusion(table, split, fitted, { model: { ...model, towers }, train }, { quiet: true });
    assert.equal(res.history.length, 2);
    assert.ok(res.history.every((h) => Number.isFinite(h.loss)));
    for (const name of Object.keys(res.weights.tensors)) {
      const prefix = name.split('/')[0];
      assert.ok(prefix === 'fusion' || has(prefix), `unexpected tensor ${name}`);
    }
    // Scores do not depend on a modality the model has no tower for, e.g. availability flags.
    const x = transform(fitted, table, testRows.slice(0, 16));
    const flipped = { ...x, avail: x.avail.map((v, i) => (i % 4 === 1 || (i % 4 === 2 && !has('audio')) || (i % 4 === 3 && !has('text')) ? 1 - v : v)) };
    assert.deepEqual(predictFusion(res.weights, flipped).logit, predictFusion(res.weights, x).logit);

    const cal: Calibrator = { method: 'platt', shift: Math.log(res.negativeKeepRate), a: 1, b: 0 };
    const graph = onnx.ModelProto.decode(buildFusionOnnx(res.weights, cal));
    assert.deepEqual(graph.graph!.input!.map((i) => i.name), [...towers.flatMap((t) => INPUTS[t]), 'avail']);
    assert.deepEqual(graph.graph!.output!.map((o) => o.name), ['risk', 'logit', 'modality_logits', 'frame_attention', 'audio_attention']);
    const parity = await checkParity(res.weights, cal, fitted, table, testRows, 1e-4);
    assert.ok(parity.passed, `ONNX vs TF.js differ by ${parity.max}`);
    assert.equal(parity.rows, testRows.length);

    // The run folder as the pipeline writes it, loaded and scored as `vigil serve` does.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-towers-'));
    dirs.push(dir);
    const calib = scoreFusion(res.weights, fitted, table, calibRows);
    writeServingBundle(dir, {
      weights: res.weights, calibrator: cal, preprocessor: fitted,
      policy: { block_threshold: 0.9, queue_threshold: 0.3, version: 'p1' },
      reasonThresholds: fitReasonThresholds(calib.modalityLogits, calibRows.map((r) => table.harmful[r]), calibRows.map((r) => table.weight[r]), { modelVersion: 'towers-1' }),
      modelVersion: 'towers-1',
    });
    const { scorer, modelMetadata } = await loadRunFolder(dir, { loadPreprocessor: loadFittedPreprocessor });
    try {
      assert.equal(modelMetadata.towers, towers.join(','));
      assert.equal(scorer.limits.frameDim, has('visual') ? fitted.dims.frame : 0);
      assert.equal(scorer.limits.audioDim, has('audio') ? fitted.dims.audio : 0);
      await selfCheck(scorer);
      // The pipeline's serving check times synthetic uploads with every modality: unused ones are ignored.
      const lat = await measureLatency(scorer, { frames: 4, segments: 2, iterations: 2, warmup: 1 });
      assert.ok(lat.score.p50 >= 0 && lat.frameDim === scorer.limits.frameDim);
      const rows = testRows.slice(0, 12);
      const videos = rows.map((r) => {
        const req = requestFromTable(table, r);
        // A model without a visual tower needs no frame_emb at all.
        if (!has('visual')) { delete req.frame_emb; delete req.frame_ts; }
        const p = parseVideo(req, scorer.limits);
        assert.ok(p.ok, JSON.stringify(!p.ok && p.error));
        return p.value;
      });
      const out = await scorer.scoreVideos(videos);
      const want = applyCalibrator(cal, scoreFusion(res.weights, fitted, table, rows).logit);
      out.forEach((o, k) => {
        assert.ok(Number.isFinite(o.risk_score) && o.risk_score >= 0 && o.risk_score <= 1);
        assert.ok(['ALLOW', 'QUEUE', 'BLOCK'].includes(o.action));
        assert.ok(Math.abs(o.risk_score - want[k]) < 1e-4, `served ${o.risk_score} vs trained ${want[k]}`);
        // Modalities the model does not read are never reported missing.
        for (const code of o.reason_codes) if (code.code === 'MODALITY_MISSING') assert.ok(has(code.modality), code.message);
      });
      // A request that sends a modality the model does not use is accepted and that modality ignored.
      const full = requestFromTable(base.table, rows[0]);
      const sent = parseVideo(full, scorer.limits);
      assert.ok(sent.ok, JSON.stringify(!sent.ok && sent.error));
      const [withExtra] = await scorer.scoreVideos([sent.value]);
      const plain = requestFromTable(table, rows[0]);
      const parsed = parseVideo(plain, scorer.limits);
      assert.ok(parsed.ok);
      const [alone] = await scorer.scoreVideos([parsed.value]);
      assert.equal(withExtra.risk_score, alone.risk_score);
      if (!has('visual')) {
        assert.ok(parseVideo({ ...plain, frame_emb: 'not base64 at all' }, scorer.limits).ok, 'an unused frame_emb is ignored');
      } else {
        const missing = parseVideo({ ...plain, frame_emb: undefined }, scorer.limits);
        assert.ok(!missing.ok && missing.error.field === 'frame_emb');
      }
    } finally {
      await scorer.close();
    }

    // Drift reference and monitoring over whatever modalities exist.
    const scores = new Float64Array(table.n).fill(NaN);
    testRows.forEach((r) => { scores[r] = 0.1; });
    calibRows.forEach((r) => { scores[r] = 0.1; });
    const ref = buildReference(table, trainRows, scores, { scoreRows: calibRows });
    const drift = computeDrift(ref, table, { rows: [...calibRows, ...testRows], scores, minRows: 10, minFeatureRows: 5 });
    assert.ok(drift.weeks.length >= 1);
  });
}

test('text-only model over HTTP: POST /v1/score without frame_emb returns a finite risk and an action', async () => {
  const table = without(base.table, { frames: true, audio: true });
  const fitted = fitPreprocessor(table, trainRows, features);
  const { towers } = presentTowers(table, trainRows, model.towers);
  const res = await trainFusion(table, split, fitted, { model: { ...model, towers }, train }, { quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-towers-http-'));
  dirs.push(dir);
  writeServingBundle(dir, {
    weights: res.weights, calibrator: { method: 'platt', shift: 0, a: 1, b: 0 }, preprocessor: fitted,
    policy: { block_threshold: 0.9, queue_threshold: 0.3, version: 'p1' },
    reasonThresholds: { formatVersion: 1, tail: 0.01, modality: { meta: 1e6, visual: null, audio: null, text: -1e6 }, positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 1, newAccountDays: 30 } },
    modelVersion: 'towers-http',
  });
  let scorer: Scorer | null = null;
  const srv = await startServer(async () => (scorer = (await loadRunFolder(dir, { loadPreprocessor: loadFittedPreprocessor })).scorer),
    { port: 0, host: '127.0.0.1', log: () => undefined });
  try {
    await srv.ready;
    const body = { video_id: 'tweet-1', creator_id: 'u1', transcript: 'zzbad hello friends zzbad', language: 'en' };
    const r = await fetch(`http://127.0.0.1:${srv.port}/v1/score`, { method: 'POST', body: JSON.stringify(body) });
    const j = await r.json() as Record<string, unknown>;
    assert.equal(r.status, 200, JSON.stringify(j));
    assert.ok(Number.isFinite(j.risk_score as number));
    assert.ok(['ALLOW', 'QUEUE', 'BLOCK'].includes(j.action as string));
    const codes = (j.reason_codes as { code: string; modality: string }[]);
    assert.ok(codes.some((c) => c.code === 'TRANSCRIPT_HIGH'), JSON.stringify(codes));
    assert.ok(!codes.some((c) => c.code === 'MODALITY_MISSING' && (c.modality === 'audio' || c.modality === 'visual')));
    const info = await (await fetch(`http://127.0.0.1:${srv.port}/v1/model`)).json() as Record<string, unknown>;
    assert.deepEqual(info.towers, ['meta', 'text']);
    assert.ok(scorer);
  } finally {
    await srv.shutdown('test end');
  }
});

test('compare skips the tower variant of a modality the data lacks and trains the rest, baselines included', async () => {
  const table = without(base.table, { frames: true, audio: true });
  const fitted = fitPreprocessor(table, trainRows, features);
  const out = await compareModels(table, split, fitted, { model, train: { ...train, epochs: 1, noise: 'confident_learning' } },
    { variants: ['fusion', 'tower:audio', 'tower:visual', 'tower:text', 'cart', 'logistic'] });
  assert.deepEqual(out.models.map((m) => m.name), ['fusion', 'tower:text', 'cart', 'logistic']);
  assert.ok(out.models.every((m) => Number.isFinite(m.test.ap)));
});
