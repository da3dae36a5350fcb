import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type * as tfjs from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { registerPooling, poolingNames, type PoolingDef } from '../../src/model/pooling/registry.js';
import { PAD_SCORE } from '../../src/model/pooling/attention.js';
import { denseSpecs } from '../../src/model/weights.js';
import { modelConfigSchema } from '../../src/model/config.js';
import { trainFusion, rowsOfSplit } from '../../src/model/train.js';
import { predictFusion } from '../../src/model/predict.js';
import { initBackend } from '../../src/model/backend.js';
import { fitPreprocessor, transform } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { validateFusionWeights, expectedTensors } from '../../src/export/validateWeights.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { randomFusionInputs } from '../../src/export/randomInputs.js';
import { parityDiffs } from '../../src/export/parity.js';
import { openFusionSession } from '../../src/serve/onnxSession.js';
import { checkParity } from '../../src/pipeline/serving.js';
import type { Calibrator } from '../../src/calibrate/types.js';
import { applyCalibrator } from '../../src/calibrate/apply.js';
import { CALIB, TEST, TRAIN } from '../../src/split/types.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { explicitTrain } from '../fixtures/trainConfig.js';
import { synthVideos } from '../fixtures/synthVideos.js';

/**
 * A pooling defined here, in one place, and registered with one line: a learned per-item score
 * `e_t = h_t·score`, masked softmax over items, pooled = Σ α_t h_t. Nothing else in the library is
 * told about it; the trainer, the weight validator and the ONNX exporter must all pick it up.
 */
const softmaxMean: PoolingDef = {
  name: 'softmax-mean',
  params: (prefix, hidden) => denseSpecs(`${prefix}/score`, hidden, 1),
  pool({ tf, dense }, prefix, h, mask) {
    const e = tf.squeeze(dense(`${prefix}/score`, h), [2]);
    const alpha = tf.softmax(tf.add(tf.mul(e, mask), tf.mul(tf.sub(1, mask), PAD_SCORE)), 1) as tfjs.Tensor2D;
    return { pooled: tf.sum(tf.mul(h, tf.expandDims(alpha, 2)), 1) as tfjs.Tensor2D, weights: alpha };
  },
  emit(ctx, prefix, h, mask) {
    const { g } = ctx;
    const e = g.op('Squeeze', [ctx.dense(h, `${prefix}/score`, false), ctx.axis2()]);
    const pad = ctx.shared('softmax_mean_pad', () => g.scalar('softmax_mean_pad', PAD_SCORE));
    const weights = g.op('Softmax', [g.op('Add', [g.op('Mul', [e, mask]), g.op('Mul', [g.op('Sub', [ctx.one(), mask]), pad])])], { axis: 1 });
    const pooled = g.op('ReduceSum', [g.op('Mul', [h, g.op('Unsqueeze', [weights, ctx.axis2()])]), ctx.axis1()], { keepdims: 0 });
    return { pooled, weights };
  },
};
registerPooling(softmaxMean);

const features = featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 64 });
before(async () => { await initBackend('auto'); });

test('a pooling registered at runtime is known to the weight list and the validator, and names are unique', () => {
  assert.ok(poolingNames().includes('softmax-mean'));
  const cfg = { towers: ['visual', 'audio'], pooling: 'softmax-mean', fusion: 'linear', hidden: 4, attentionDim: 2, fusionHidden: 3, metaDim: 2, frameDim: 3, audioDim: 2, textDim: 2 };
  const names = Object.keys(expectedTensors(cfg));
  assert.deepEqual(names.filter((n) => n.includes('/score/')), ['visual/score/kernel', 'visual/score/bias', 'audio/score/kernel', 'audio/score/bias']);
  assert.ok(!names.some((n) => n.includes('/att_')), 'no attention tensors for this pooling');
  const w = randomFusionWeights(cfg, createRng(1));
  validateFusionWeights(w);
  delete w.tensors['audio/score/kernel'];
  assert.throws(() => validateFusionWeights(w), (e: unknown) => e instanceof VigilError && /audio\/score\/kernel/.test(e.message));
  assert.throws(() => registerPooling({ ...softmaxMean }), (e: unknown) => e instanceof VigilError && /softmax-mean/.test(e.message));
});

test('random weights: the exported graph matches TF.js on padded batches with no audio and single frames', async () => {
  const cfg = { towers: ['meta', 'visual', 'audio', 'text'], pooling: 'softmax-mean', fusion: 'mlp', hidden: 6, attentionDim: 2, fusionHidden: 4, metaDim: 3, frameDim: 5, audioDim: 4, textDim: 7 };
  const rng = createRng(4);
  const w = randomFusionWeights(cfg, rng.fork('w'));
  const x = randomFusionInputs(cfg, [{ frames: 1, segments: 0, text: false }, { frames: 9, segments: 3, text: true }, { frames: 4, segments: 1, text: true }], rng.fork('x'));
  const cal: Calibrator = { method: 'platt', shift: -1, a: 0.7, b: 0.2 };
  const model = buildFusionOnnx(w, cal);
  const graph = onnx.ModelProto.decode(model);
  assert.equal(graph.metadataProps!.find((p) => p.key === 'pooling')?.value, 'softmax-mean');
  assert.ok(graph.graph!.initializer!.some((t) => t.name === 'visual_score_kernel'));
  const s = await openFusionSession(model);
  try {
    const got = await s.run(x);
    const tf = predictFusion(w, { ...x, dims: { meta: cfg.metaDim, frame: cfg.frameDim, audio: cfg.audioDim, text: cfg.textDim } });
    const d = parityDiffs(got, { ...tf, risk: applyCalibrator(cal, tf.logit) }, x);
    assert.ok(d.max <= 1e-5, `max |ONNX − TF.js| = ${d.max} (${JSON.stringify(d)})`);
    // The weights really are a softmax over real frames only.
    for (let b = 0; b < x.B; b++) {
      let sum = 0;
      for (let t = 0; t < x.T; t++) { sum += got.frameAttention[b * x.T + t]; if (x.frameMask[b * x.T + t] === 0) assert.equal(got.frameAttention[b * x.T + t], 0); }
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  } finally { await s.release(); }
});

test('a tiny model trains with the new pooling, exports, and ONNX matches TF.js on every test row', async () => {
  const { table, split } = synthVideos({ n: 300, seed: 8, signal: 4 });
  const trainRows = rowsOfSplit(split, TRAIN), testRows = [...rowsOfSplit(split, CALIB), ...rowsOfSplit(split, TEST)];
  const fitted = fitPreprocessor(table, trainRows, features);
  const model = modelConfigSchema.parse({ pooling: 'softmax-mean', hidden: 8, attentionDim: 4, fusionHidden: 4 });
  const train = explicitTrain({ epochs: 2, batchSize: 64, negativeKeepRate: 0.5, noise: 'none', learningRate: 0.01 });
  const res = await trainFusion(table, split, fitted, { model, train }, { quiet: true });
  assert.equal(res.weights.config.pooling, 'softmax-mean');
  assert.ok(res.history.every((h) => Number.isFinite(h.loss)));
  assert.deepEqual(res.weights.tensors['visual/score/kernel'].shape, [8, 1]);
  const cal: Calibrator = { method: 'platt', shift: Math.log(res.negativeKeepRate), a: 1, b: 0 };
  const parity = await checkParity(res.weights, cal, fitted, table, testRows, 1e-4);
  assert.ok(parity.passed, `ONNX vs TF.js differ by ${parity.max}`);
  assert.equal(parity.rows, testRows.length);
  // The model's attention is the pooling's softmax: it sums to 1 over each row's real frames.
  const x = transform(fitted, table, testRows.slice(0, 8));
  const att = predictFusion(res.weights, x).frameAttention;
  for (let b = 0; b < x.B; b++) {
    let s = 0;
    for (let t = 0; t < x.T; t++) s += att[b * x.T + t];
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});
