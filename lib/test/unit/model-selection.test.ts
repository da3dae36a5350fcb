import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseExport, judgeTowers, calibAp } from '../../src/model/selection.js';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { modelConfigSchema, trainConfigSchema } from '../../src/model/config.js';
import { compareModels } from '../../src/model/compare.js';
import { rowsOfSplit, trainFusion } from '../../src/model/train.js';
import { resolveTrainConfig } from '../../src/model/recipe.js';
import { selectModel } from '../../src/pipeline/selectModel.js';
import { CALIB, TRAIN } from '../../src/split/types.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { synthVideos } from '../fixtures/synthVideos.js';

/** A calibration window of `n` rows over 60 creators, prevalence ~0.4. */
function window(n: number, seed: number) {
  const rng = createRng(seed);
  const labels: number[] = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
  return { rng, calib: { labels, weights: labels.map(() => 1), groups: labels.map((_, i) => i % 60) } };
}

test('judgeTowers: a signal tower is above chance, a pure-noise tower is not', () => {
  const { rng, calib } = window(600, 3);
  const signal = calib.labels.map((y) => y * 1.5 + rng.normal());
  const noise = calib.labels.map(() => rng.normal());
  const [s, n] = judgeTowers(calib, [{ tower: 'text', calibScores: signal }, { tower: 'audio', calibScores: noise }], { resamples: 200, seed: 1 });
  assert.ok(s.aboveChance && s.liftLow > 0.1, `signal lift ${s.liftLow}`);
  assert.ok(Math.abs(s.chance - calib.labels.reduce((a, b) => a + b, 0) / 600) < 1e-12, 'chance is the calibration prevalence');
  assert.equal(n.aboveChance, false, `noise lift lower bound ${n.liftLow}, AP ${n.calibAp}`);
  assert.equal(s.calibAp, calibAp(calib, signal));
  assert.throws(() => judgeTowers(calib, [{ tower: 'meta', calibScores: [1, 2] }]), (e: unknown) => e instanceof VigilError && /meta/.test(e.message));
});

test('chooseExport: the fused model unless a single tower is strictly better on the calibration window', () => {
  const keep = chooseExport(0.7, [{ name: 'tower:text', calibAp: 0.7 }, { name: 'tower:meta', calibAp: 0.5 }]);
  assert.equal(keep.exported, 'fusion');
  assert.equal(keep.fusionBeatBestTower, false, 'a tie is not a win, but the fused model is kept');
  const swap = chooseExport(0.38, [{ name: 'tower:meta', calibAp: 0.45 }, { name: 'tower:text', calibAp: 0.72 }]);
  assert.equal(swap.exported, 'tower:text');
  assert.deepEqual(swap.bestTower, { name: 'tower:text', calibAp: 0.72 });
  assert.match(swap.reason, /tower:text.*0\.7200.*0\.3800/);
  const none = chooseExport(0.5, []);
  assert.equal(none.exported, 'fusion');
  assert.equal(none.fusionBeatBestTower, null);
});

test('signal in one modality, pure noise in the other: the noise tower is dropped or the export is no worse than the best tower', async () => {
  const { table, split } = synthVideos({ n: 900, seed: 21, prevalence: 0.4, signal: 2, signalIn: ['visual'], noTextRate: 1 });
  const trainRows = rowsOfSplit(split, TRAIN), calibRows = rowsOfSplit(split, CALIB);
  const fitted = fitPreprocessor(table, trainRows, featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 32 }));
  const model = modelConfigSchema.parse({ towers: ['visual', 'audio'], hidden: 8, attentionDim: 4, fusionHidden: 4 });
  // The recipe for this small balanced set, with a short schedule to keep the test fast.
  const { train } = resolveTrainConfig(table, trainRows, trainConfigSchema.parse({ epochs: 12, noise: 'none' }));
  assert.equal(train.negativeKeepRate, 1);
  assert.equal(train.positiveWeight, 1);
  const main = await trainFusion(table, split, fitted, { model, train }, { quiet: true });
  const cmp = await compareModels(table, split, fitted, { model, train }, { variants: ['tower:visual', 'tower:audio'] });
  const out = await selectModel({ table, split, fitted, model, train, main, comparison: cmp.models, calibRows, resamples: 200, seed: 1 });
  const s = out.selection;
  const tower = (t: string) => s.towers.find((x) => x.tower === t)!;
  console.log(`# visual ${tower('visual').calibAp?.toFixed(3)} (lift ≥ ${tower('visual').liftLow?.toFixed(3)}), audio ${tower('audio').calibAp?.toFixed(3)} (lift ≥ ${tower('audio').liftLow?.toFixed(3)}), fused ${s.fused.calibApAllTowers.toFixed(3)} → exported ${s.exported} ${s.exportedCalibAp.toFixed(3)}`);
  assert.equal(tower('visual').aboveChance, true);
  assert.ok(tower('visual').calibAp! > 0.6, `visual calib AP ${tower('visual').calibAp}`);
  const best = tower('visual').calibAp!;
  assert.ok(s.dropped.includes('audio') || s.exportedCalibAp >= best - 0.01, JSON.stringify(s));
  assert.ok(s.exportedCalibAp >= best - 0.01, `exported ${s.exportedCalibAp} vs best tower ${best}`);
  // The exported network is the one the selection names.
  assert.deepEqual(out.exported.weights.config.towers, s.exported === 'fusion' ? s.fused.towers : [s.exported.slice(6)]);
  assert.ok(s.reason.length > 0 && typeof s.fusionBeatBestTower !== 'undefined');
});
