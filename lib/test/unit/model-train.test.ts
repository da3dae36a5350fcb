import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { modelConfigSchema, type ModelConfig } from '../../src/model/config.js';
import { trainFusion, rowsOfSplit } from '../../src/model/train.js';
import { scoreFusion } from '../../src/model/score.js';
import { averagePrecision } from '../../src/stats/quickMetrics.js';
import { VigilError } from '../../src/util/errors.js';
import { TRAIN, TEST } from '../../src/split/types.js';
import { synthVideos } from '../fixtures/synthVideos.js';
import { explicitTrain } from '../fixtures/trainConfig.js';

const data = synthVideos({ n: 700, seed: 3, signal: 4 });
const fitted = fitPreprocessor(data.table, rowsOfSplit(data.split, TRAIN), featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 128 }));
const quick = (over: Record<string, unknown> = {}) =>
  explicitTrain({ epochs: 4, batchSize: 64, negativeKeepRate: 0.5, noise: 'none', learningRate: 0.01, ...over });
const model = (over: Partial<ModelConfig> = {}) => modelConfigSchema.parse({ hidden: 8, attentionDim: 4, ...over });

test('fusion learns a separable synthetic problem (test AP high) and reports its training', async () => {
  const res = await trainFusion(data.table, data.split, fitted, { model: model(), train: quick({ epochs: 8 }) }, { quiet: true });
  const test = rowsOfSplit(data.split, TEST);
  const s = scoreFusion(res.weights, fitted, data.table, test);
  const ap = averagePrecision(s.logit, test.map((r) => data.table.harmful[r]));
  assert.ok(ap > 0.9, `test AP ${ap}`);
  console.log(`# test AP ${ap.toFixed(3)}`);
  assert.ok(res.bestEpoch >= 1 && res.bestEpoch <= 8);
  assert.ok(res.history.every((h) => h.rows > 0 && h.rowsPerSec > 0 && Number.isFinite(h.calibAp)));
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(res.backend));
  assert.equal(res.negativeKeepRate, 0.5);
  // Downsampling keeps every positive and about half of the negatives.
  const trainPos = rowsOfSplit(data.split, TRAIN).filter((r) => data.table.harmful[r] === 1).length;
  const trainNeg = rowsOfSplit(data.split, TRAIN).length - trainPos;
  assert.ok(Math.abs(res.history[0].rows - (trainPos + 0.5 * trainNeg)) < 0.15 * trainNeg);
  assert.ok(JSON.parse(JSON.stringify(res.weights)).tensors['visual/att_w/kernel'].shape.join() === '4,1');
});

test('same seed → identical weights; another seed → different weights', async () => {
  const a = await trainFusion(data.table, data.split, fitted, { model: model({ pooling: 'mean' }), train: quick({ epochs: 2 }) }, { quiet: true });
  const b = await trainFusion(data.table, data.split, fitted, { model: model({ pooling: 'mean' }), train: quick({ epochs: 2 }) }, { quiet: true });
  const c = await trainFusion(data.table, data.split, fitted, { model: model({ pooling: 'mean' }), train: quick({ epochs: 2, seed: 99 }) }, { quiet: true });
  assert.deepEqual(a.weights, b.weights);
  assert.notDeepEqual(a.weights.tensors['meta/out/kernel'], c.weights.tensors['meta/out/kernel']);
});

test('a single-tower model holds only its tower and the fusion head', async () => {
  const r = await trainFusion(data.table, data.split, fitted, { model: model({ towers: ['visual'], pooling: 'max', fusion: 'linear' }), train: quick({ epochs: 1 }) }, { quiet: true });
  assert.deepEqual(Object.keys(r.weights.tensors).sort(), ['fusion/out/bias', 'fusion/out/kernel', 'visual/embed/bias', 'visual/embed/kernel', 'visual/out/bias', 'visual/out/kernel']);
});

test('bad config fails before training: unknown names, absent modality, dimension mismatch', async () => {
  const run = (m: Partial<ModelConfig>, table = data.table) => trainFusion(table, data.split, fitted, { model: { ...model(), ...m } as ModelConfig, train: quick() }, { quiet: true });
  await assert.rejects(run({ towers: ['meta', 'smell'] as ModelConfig['towers'] }), (e: unknown) => e instanceof VigilError && /model\.towers/.test(e.message) && /smell/.test(e.message));
  await assert.rejects(run({ pooling: 'median' }), (e: unknown) => e instanceof VigilError && /model\.pooling/.test(e.message));
  await assert.rejects(run({ fusion: 'transformer' }), (e: unknown) => e instanceof VigilError && /model\.fusion/.test(e.message));
  const noAudio = { ...data.table, hasAudio: new Uint8Array(data.table.n), audioOffsets: new Int32Array(data.table.n + 1), audioEmb: new Float32Array(0), audioTs: new Float32Array(0) };
  await assert.rejects(run({ towers: ['meta', 'audio'] }, noAudio), (e: unknown) => e instanceof VigilError && /audio/.test(e.message) && /model\.towers/.test(e.message));
  const wider = synthVideos({ n: 700, seed: 3, signal: 4, frameDim: 9 }).table;
  await assert.rejects(run({}, wider), (e: unknown) => e instanceof VigilError && /frame_emb/.test(e.message));
});
