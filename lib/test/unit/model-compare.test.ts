import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { modelConfigSchema } from '../../src/model/config.js';
import { compareModels, quickMetrics } from '../../src/model/compare.js';
import { rowsOfSplit } from '../../src/model/train.js';
import { TRAIN } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';
import type { TruthTable } from '../../src/data/table.js';
import { synthVideos } from '../fixtures/synthVideos.js';
import { explicitTrain } from '../fixtures/trainConfig.js';

test('compareModels scores every variant on calib and test, against observed and true labels', async () => {
  const { table, split, trueLabel } = synthVideos({ n: 700, seed: 12, signal: 4, flip: 0.05 });
  const fitted = fitPreprocessor(table, rowsOfSplit(split, TRAIN), featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 64 }));
  const truth: TruthTable = { n: table.n, videoId: table.videoId, trueHarmful: trueLabel, category: table.videoId.map(() => 'x'),
    oracleP: new Float64Array(table.n), reuploadOf: table.videoId.map(() => null) };
  const cfg = { model: modelConfigSchema.parse({ hidden: 8, attentionDim: 4 }),
    train: explicitTrain({ epochs: 3, batchSize: 64, learningRate: 0.01, negativeKeepRate: 1 }) };
  const res = await compareModels(table, split, fitted, cfg, { variants: ['fusion', 'fusion:confident_learning', 'tower:meta', 'cart', 'logistic'], truth });
  assert.deepEqual(res.models.map((m) => m.name), ['fusion', 'fusion:confident_learning', 'tower:meta', 'cart', 'logistic']);
  assert.ok(res.noise && res.noise.suspects.length > 0, 'the confident-learning variant computed noise flags');
  for (const m of res.models) {
    assert.equal(m.testScores.length, res.testRows.length);
    assert.ok(m.testTrue && Number.isFinite(m.testTrue.ap));
    assert.ok(m.test.ap >= 0 && m.test.ap <= 1);
  }
  const ap = (n: string) => res.models.find((m) => m.name === n)!.test.ap;
  assert.ok(ap('fusion') > ap('cart'), `fusion ${ap('fusion')} vs cart ${ap('cart')}`);
  assert.match(res.models.find((m) => m.name === 'cart')!.rules!, /^if \(/);
  await assert.rejects(compareModels(table, split, fitted, cfg, { variants: ['gbdt'] }), (e: unknown) => e instanceof VigilError && /gbdt/.test(e.message));
});

test('quickMetrics counts positives and uses weights', () => {
  const m = quickMetrics([0.9, 0.1, 0.8], [1, 0, 0], [1, 1, 4]);
  assert.equal(m.n, 3);
  assert.equal(m.positives, 1);
  assert.equal(m.ap, 1);
});
