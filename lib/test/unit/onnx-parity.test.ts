import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/simulate/generate.js';
import { getPreset } from '../../src/simulate/presets.js';
import { fitPreprocessor, transform } from '../../src/features/preprocess.js';
import { parseConfig } from '../../src/config.js';
import { initBackend } from '../../src/model/backend.js';
import { predictFusion, releaseWeights } from '../../src/model/predict.js';
import { fitCalibrator } from '../../src/calibrate/fit.js';
import { applyCalibrator } from '../../src/calibrate/apply.js';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { parityDiffs } from '../../src/export/parity.js';
import type { Calibrator, FusionWeights } from '../../src/export/contract.js';
import { openFusionSession } from '../../src/serve/onnxSession.js';
import { createRng, shuffleInPlace } from '../../src/util/rng.js';
import type { VideoTable } from '../../src/data/table.js';

/**
 * ONNX (onnxruntime-node) vs the TF.js model (predictFusion + applyCalibrator) on simulated videos,
 * including every edge case the data has: 1 frame, the longest videos (up to 600 frames), no audio,
 * no transcript, missing account metadata. The contract: max absolute difference <= 1e-4.
 */
const sim = simulate(getPreset('tiny'), 3);
const table: VideoTable = sim.table;
const n = table.n;
const frames = (i: number) => table.frameOffsets[i + 1] - table.frameOffsets[i];

/** 2,000 test rows: all edge cases first, then a random fill. */
function pickRows(count: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  const byLen = [...all].sort((a, b) => frames(b) - frames(a));
  const edge = new Set<number>([
    ...all.filter((i) => frames(i) === 1).slice(0, 60),
    ...byLen.slice(0, 40),
    ...all.filter((i) => !table.hasAudio[i]).slice(0, 100),
    ...all.filter((i) => !table.transcript[i]).slice(0, 100),
    ...all.filter((i) => Number.isNaN(table.accountAgeDays[i])).slice(0, 100),
    ...all.filter((i) => !table.hasAudio[i] && !table.transcript[i]).slice(0, 50),
  ]);
  const rest = all.filter((i) => !edge.has(i));
  shuffleInPlace(rest, createRng(5));
  return [...edge, ...rest].slice(0, count);
}

async function parity(w: FusionWeights, cal: Calibrator, fitted: ReturnType<typeof fitPreprocessor>, rows: number[], batch: number) {
  const s = await openFusionSession(buildFusionOnnx(w, cal));
  const worst = { risk: 0, logit: 0, modalityLogits: 0, frameAttention: 0, audioAttention: 0, max: 0 };
  try {
    for (let k = 0; k < rows.length; k += batch) {
      const x = transform(fitted, table, rows.slice(k, k + batch));
      const onnxOut = await s.run(x);
      const tf = predictFusion(w, x);
      const d = parityDiffs(onnxOut, { ...tf, risk: applyCalibrator(cal, tf.logit) }, x);
      for (const key of Object.keys(worst) as (keyof typeof worst)[]) worst[key] = Math.max(worst[key], d[key]);
    }
  } finally {
    await s.release();
    releaseWeights(w);
  }
  return worst;
}

test('ONNX matches the TF.js model on 2,000 videos incl. edge cases (max |diff| <= 1e-4)', { timeout: 120_000 }, async (t) => {
  await initBackend('auto');
  const rows = pickRows(2000);
  assert.equal(rows.length, 2000);
  assert.ok(rows.some((i) => frames(i) === 1) && rows.some((i) => frames(i) >= 300));
  assert.ok(rows.some((i) => !table.hasAudio[i]) && rows.some((i) => !table.transcript[i]) && rows.some((i) => Number.isNaN(table.accountAgeDays[i])));
  const trainRows = Array.from({ length: n }, (_, i) => i).filter((i) => !rows.includes(i));
  const cfg = parseConfig({});
  const fitted = fitPreprocessor(table, trainRows, cfg.features);
  const arch = { hidden: cfg.model.hidden, attentionDim: cfg.model.attentionDim, fusionHidden: cfg.model.fusionHidden,
    metaDim: fitted.dims.meta, frameDim: fitted.dims.frame, audioDim: fitted.dims.audio, textDim: fitted.dims.text };
  // The default architecture with a calibrator fitted the way the pipeline fits it (on the model's logits).
  const w = randomFusionWeights({ ...arch, towers: ['meta', 'visual', 'audio', 'text'], pooling: 'attention', fusion: 'mlp' }, createRng(11));
  const calRows = trainRows.slice(0, 600);
  const logits = predictFusion(w, transform(fitted, table, calRows)).logit;
  const cal = fitCalibrator(logits, calRows.map((i) => table.harmful[i]), calRows.map((i) => table.weight[i]),
    { methods: ['isotonic'], negativeKeepRate: 0.25 });
  const d = await parity(w, cal, fitted, rows, 64);
  t.diagnostic(`attention/mlp/isotonic on ${rows.length} videos: max |ONNX − TF.js| = ${JSON.stringify(d)}`);
  assert.ok(d.max <= 1e-4, `max |ONNX − TF.js| = ${d.max} (${JSON.stringify(d)})`);
  // The other poolings and the linear head, on a smaller sample.
  for (const [pooling, fusion] of [['mean', 'linear'], ['max', 'mlp']] as const) {
    const w2 = randomFusionWeights({ ...arch, towers: ['meta', 'visual', 'audio', 'text'], pooling, fusion }, createRng(12));
    const d2 = await parity(w2, { method: 'platt', shift: Math.log(0.25), a: 0.8, b: -0.5 }, fitted, rows.slice(0, 200), 64);
    t.diagnostic(`${pooling}/${fusion}/platt on 200 videos: max |ONNX − TF.js| = ${d2.max}`);
    assert.ok(d2.max <= 1e-4, `${pooling}/${fusion}: max |ONNX − TF.js| = ${d2.max}`);
  }
});
