import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { pooledFeatures } from '../../src/features/pooled.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { fitCart, predictCart, cartRules } from '../../src/model/baselines/cart.js';
import { fitLogistic, predictLogistic } from '../../src/model/baselines/logistic.js';
import { confidentLearning, auditNoise } from '../../src/model/noise.js';
import { averagePrecision, recallAtFpr, precisionAtTop } from '../../src/stats/quickMetrics.js';
import { rowsOfSplit } from '../../src/model/train.js';
import { TRAIN, TEST } from '../../src/split/types.js';
import type { TruthTable } from '../../src/data/table.js';
import { synthVideos } from '../fixtures/synthVideos.js';
import { explicitTrain } from '../fixtures/trainConfig.js';

const feat = featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 128 });

test('quick metrics match hand computations (weights and ties)', () => {
  // scores 0.9(+) 0.8(−) 0.7(+) 0.1(−): AP = (1·1 + 1·2/3)/2
  assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]) - (1 + 2 / 3) / 2) < 1e-12);
  // weight 3 on the 0.8 negative: precision at the second positive = 2/5
  assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], [1, 3, 1, 1]) - (1 + 2 / 5) / 2) < 1e-12);
  // a tie between a positive and a negative counts as one threshold: precision 1/2
  assert.equal(averagePrecision([0.5, 0.5], [1, 0]), 0.5);
  assert.equal(recallAtFpr([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 0.0), 0.5);
  assert.equal(recallAtFpr([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 0.5), 1);
  assert.equal(precisionAtTop([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 0.5), 0.5);
});

test('CART on metadata finds the strikes rule and prints it as if/else', () => {
  const { table, split } = synthVideos({ n: 800, seed: 4 });
  // The label follows prior strikes (with 10% label noise: ml-cart stops at a zero-error split).
  for (let i = 0; i < table.n; i++) table.harmful[i] = (table.priorStrikes[i] >= 2 ? 1 : 0) ^ (i % 10 === 3 ? 1 : 0);
  const train = rowsOfSplit(split, TRAIN);
  const fitted = fitPreprocessor(table, train, feat);
  const m = fitCart(table, train, fitted, { maxDepth: 2, minNumSamples: 5 });
  const rules = cartRules(m);
  assert.match(rules, /^if \(prior_strikes < (1\.5|2)\) \{\n/);
  const testRows = rowsOfSplit(split, TEST);
  const p = predictCart(m, table, testRows);
  // The tree ranks rows with >= 2 strikes first.
  assert.ok(averagePrecision(p, testRows.map((r) => (table.priorStrikes[r] >= 2 ? 1 : 0))) > 0.9);
  console.log(rules.split('\n').map((l) => '# ' + l).join('\n'));
  const back = JSON.parse(JSON.stringify(m));
  assert.deepEqual(predictCart(back, table, testRows), p);
});

test('logistic regression on pooled features ranks a separable problem well', () => {
  const { table, split } = synthVideos({ n: 800, seed: 6, signal: 4 });
  const train = rowsOfSplit(split, TRAIN), testRows = rowsOfSplit(split, TEST);
  const fitted = fitPreprocessor(table, train, feat);
  const X = pooledFeatures(fitted, table, train);
  const m = fitLogistic(X, train.map((r) => table.harmful[r]), train.map(() => 1), { epochs: 20 });
  const z = predictLogistic(m, pooledFeatures(fitted, table, testRows));
  const ap = averagePrecision(z, testRows.map((r) => table.harmful[r]));
  assert.ok(ap > 0.85, `AP ${ap}`);
});

test('confident learning flags mislabelled rows far above the base rate, audited against truth', () => {
  const { table, split, trueLabel } = synthVideos({ n: 1500, seed: 8, signal: 4, flip: 0.08 });
  const fitted = fitPreprocessor(table, rowsOfSplit(split, TRAIN), feat);
  const cfg = explicitTrain({ noiseMaxFraction: 0.3 });
  const res = confidentLearning(table, split, fitted, cfg);
  assert.equal(res.folds, 4);
  assert.ok(res.suspects.length > 0);
  for (let k = 1; k < res.suspects.length; k++) assert.ok(res.suspects[k - 1].margin >= res.suspects[k].margin);
  const truth: TruthTable = { n: table.n, videoId: table.videoId, trueHarmful: trueLabel, category: table.videoId.map(() => 'x'),
    oracleP: new Float64Array(table.n), reuploadOf: table.videoId.map(() => null) };
  const audit = auditNoise(res, table, split, truth);
  const baseRate = audit.mislabelled / audit.trainRows;
  assert.ok(baseRate > 0.04 && baseRate < 0.12);
  assert.ok(audit.precision > 3 * baseRate, `precision ${audit.precision} vs base rate ${baseRate}`);
  // Flagged rows are down-weighted in training, never touched outside train.
  for (const s of res.suspects) assert.ok(Math.abs(res.trainWeight[s.row] - cfg.noiseWeight) < 1e-6);
  for (const r of rowsOfSplit(split, TEST)) assert.equal(res.trainWeight[r], 0);
  console.log(`# noise audit: flagged ${audit.flagged}, precision ${audit.precision.toFixed(3)}, recall ${audit.recall.toFixed(3)}, base rate ${baseRate.toFixed(3)}`);
});
