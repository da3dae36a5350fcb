import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { dense } from '../../src/model/layers.js';
import assert from 'node:assert/strict';
import { predictFusion } from '../../src/model/predict.js';
import { paramSpecs } from '../../src/model/network.js';
import { initBackend } from '../../src/model/backend.js';
import type { FusionName, FusionNetConfig, FusionWeights, PoolingName } from '../../src/model/weights.js';
import type { FeatureBatch } from '../../src/features/preprocess.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import type { Calibrator } from '../../src/calibrate/types.js';
import { referenceForward } from '../helpers/referenceForward.js';

/** The float64 oracle scores the raw logit; the calibrator does not matter here. */
const identity: Calibrator = { method: 'platt', shift: 0, a: 1, b: 0 };

function randomModel(pooling: PoolingName, fusion: FusionName, towers = ['meta', 'visual', 'audio', 'text']): FusionWeights {
  const config: FusionNetConfig = { towers, pooling, fusion, hidden: 3, attentionDim: 2, fusionHidden: 4, metaDim: 3, frameDim: 2, audioDim: 2, textDim: 5 };
  const rng = createRng(11);
  return { config, tensors: Object.fromEntries(paramSpecs(config).map((s) => [s.name, { shape: s.shape, data: Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) }])) };
}

function randomBatch(): FeatureBatch {
  const rng = createRng(5);
  const B = 3, T = 4, S = 2;
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    B, T, S, dims: { meta: 3, frame: 2, audio: 2, text: 5 },
    meta: fill(B * 3), frames: fill(B * T * 2), frameMask: Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0]),
    audio: fill(B * S * 2), audioMask: Float32Array.from([1, 1, 0, 0, 1, 0]), text: fill(B * 5),
    avail: Float32Array.from([1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]),
  };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('predictFusion matches the float64 oracle for every pooling and fusion head', async () => {
  await initBackend('auto');
  const b = randomBatch();
  for (const pooling of ['mean', 'max', 'attention'] as const) for (const fusion of ['linear', 'mlp'] as const) {
    const w = randomModel(pooling, fusion);
    const got = predictFusion(w, b);
    const ref = referenceForward(w, identity, b);
    close(got.logit, ref.logit);
    close(got.modalityLogits, ref.modalityLogits);
    close(got.frameAttention, ref.frameAttention);
    // Rows without any real audio: uniform weights are 0 for mean/max; attention is not read for them.
    if (pooling !== 'attention') close(got.audioAttention, ref.audioAttention);
    else close(got.audioAttention.subarray(0, 2), ref.audioAttention.subarray(0, 2));
  }
});

test('masked pooling by hand: identity embedding, padded third frame', async () => {
  await initBackend('auto');
  const config: FusionNetConfig = { towers: ['visual'], pooling: 'mean', fusion: 'linear', hidden: 2, attentionDim: 1, fusionHidden: 1, metaDim: 1, frameDim: 2, audioDim: 1, textDim: 1 };
  const t = (shape: number[], data: number[]) => ({ shape, data });
  const common = {
    'visual/embed/kernel': t([2, 2], [1, 0, 0, 1]), 'visual/embed/bias': t([2], [0, 0]),
    'visual/out/kernel': t([2, 1], [1, 10]), 'visual/out/bias': t([1], [0]),
    'fusion/out/kernel': t([6, 1], [0, 1, 0, 0, 0, 0]), 'fusion/out/bias': t([1], [0]),
  };
  const batch: FeatureBatch = {
    B: 1, T: 3, S: 1, dims: { meta: 1, frame: 2, audio: 1, text: 1 }, meta: new Float32Array(1),
    frames: Float32Array.from([1, 2, 3, 4, 100, 100]), frameMask: Float32Array.from([1, 1, 0]),
    audio: new Float32Array(1), audioMask: new Float32Array(1), text: new Float32Array(1), avail: Float32Array.from([1, 1, 0, 0]),
  };
  const mean = predictFusion({ config, tensors: common }, batch);
  assert.ok(Math.abs(mean.logit[0] - (2 + 10 * 3)) < 1e-5); // pooled (2,3)
  close(mean.frameAttention, [0.5, 0.5, 0]);
  const max = predictFusion({ config: { ...config, pooling: 'max' }, tensors: common }, batch);
  assert.ok(Math.abs(max.logit[0] - (3 + 10 * 4)) < 1e-5); // pooled (3,4): the padded 100s never win
  const att = predictFusion({ config: { ...config, pooling: 'attention' }, tensors: {
    ...common, 'visual/att_v/kernel': t([2, 1], [1, 0]), 'visual/att_v/bias': t([1], [0]),
    'visual/att_u/kernel': t([2, 1], [0, 0]), 'visual/att_u/bias': t([1], [0]),
    'visual/att_w/kernel': t([1, 1], [2]), 'visual/att_w/bias': t([1], [0]),
  } }, batch);
  // e_t = 2·tanh(h0)·sigmoid(0) = tanh(h0): e = tanh(1), tanh(3)
  const e1 = Math.exp(Math.tanh(1)), e2 = Math.exp(Math.tanh(3));
  const a1 = e1 / (e1 + e2), a2 = e2 / (e1 + e2);
  close(att.frameAttention, [a1, a2, 0], 1e-5);
  assert.ok(Math.abs(att.logit[0] - ((a1 * 1 + a2 * 3) + 10 * (a1 * 2 + a2 * 4))) < 1e-4);
});

test('bad weights or batch: missing tensor, wrong shape, dimension mismatch', async () => {
  await initBackend('auto');
  const w = randomModel('attention', 'mlp');
  const b = randomBatch();
  const { ['visual/att_w/kernel']: _drop, ...rest } = w.tensors;
  assert.throws(() => predictFusion({ config: w.config, tensors: rest }, b), (e: unknown) => e instanceof VigilError && /visual\/att_w\/kernel/.test(e.message));
  assert.throws(() => predictFusion({ config: w.config, tensors: { ...w.tensors, 'meta/out/kernel': { shape: [2, 1], data: [1, 2] } } }, b), /meta\/out\/kernel/);
  assert.throws(() => predictFusion(w, { ...b, dims: { ...b.dims, text: 6 } }), (e: unknown) => e instanceof VigilError && /'text'/.test(e.message));
  assert.throws(() => predictFusion({ ...w, config: { ...w.config, pooling: 'median' as PoolingName } }, b), /unknown pooling 'median'/);
});

test('the hand-written dense gradient equals tf.js autodiff of matMul', async () => {
  await initBackend('auto');
  const rng = createRng(2);
  const r = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const x = r([5, 3]), k = r([3, 4]), b = r([4]);
  const ours = tf.grads((xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(dense({ 'l/kernel': kk, 'l/bias': bb }, 'l', xx))));
  const ref = tf.grads((xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(xx as tf.Tensor2D, kk as tf.Tensor2D), bb))));
  const g1 = ours([x, k, b]), g2 = ref([x, k, b]);
  for (let i = 0; i < 3; i++) close(g1[i].dataSync(), g2[i].dataSync(), 1e-5);
  // With inputIsData the input gradient is skipped (zeros) and the parameter gradients are unchanged.
  const data = tf.grads((xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(dense({ 'l/kernel': kk, 'l/bias': bb }, 'l', xx, true))))([x, k, b]);
  assert.ok(data[0].dataSync().every((v) => v === 0));
  close(data[1].dataSync(), g2[1].dataSync(), 1e-5);
});
