import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainConfigSchema } from '../../src/model/config.js';
import { applyRecipe, deriveRecipe, formatRecipe, resolveTrainConfig, trainingStats, type Recipe, type RecipeField } from '../../src/model/recipe.js';
import { applyOverride, parseConfig } from '../../src/config.js';
import { rowsOfSplit } from '../../src/model/train.js';
import { TRAIN } from '../../src/split/types.js';
import { VigilError } from '../../src/util/errors.js';
import { synthVideos } from '../fixtures/synthVideos.js';

const auto = trainConfigSchema.parse({});
const value = (r: Recipe, f: RecipeField) => r.entries.find((e) => e.field === f)!.value;
const source = (r: Recipe, f: RecipeField) => r.entries.find((e) => e.field === f)!.source;

test('the recipe fields are optional in the config: absent or "auto" means derived', () => {
  for (const f of ['epochs', 'batchSize', 'learningRate', 'positiveWeight', 'negativeKeepRate', 'earlyStoppingPatience'] as const) {
    assert.equal(auto[f], undefined, f);
  }
  assert.equal(trainConfigSchema.parse({ batchSize: 'auto' }).batchSize, 'auto');
  assert.throws(() => parseConfig({ train: { batchSize: 'big' } }), (e: unknown) => e instanceof VigilError && /train\.batchSize/.test(e.message));
  assert.throws(() => parseConfig({ train: { negativeKeepRate: 1.5 } }), (e: unknown) => e instanceof VigilError && /train\.negativeKeepRate/.test(e.message));
});

test('default-like statistics (0.26% weighted prevalence, 37k rows) get the simulator-tuned values', () => {
  // The `default` preset's training window: 626 positives, 36,620 negatives stored at rate 0.15.
  const r = deriveRecipe({ rows: 37_246, positives: 626, positiveWeightSum: 626, negativeWeightSum: 36_620 / 0.15 }, auto);
  assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.field, e.value])),
    { negativeKeepRate: 0.25, positiveWeight: 5, batchSize: 1024, epochs: 14, learningRate: 0.008, earlyStoppingPatience: 3 });
  assert.ok(r.entries.every((e) => e.source === 'derived' && e.reason.length > 10));
  // `bench`: the same stream, about twice the rows.
  const b = deriveRecipe({ rows: 80_223, positives: 1_350, positiveWeightSum: 1_350, negativeWeightSum: 78_873 / 0.15 }, auto);
  assert.deepEqual(b.entries.map((e) => e.value), r.entries.map((e) => e.value));
});

test('a small balanced set: no downsampling, positive weight 1, a small batch and many epochs', () => {
  const r = deriveRecipe({ rows: 700, positives: 280, positiveWeightSum: 280, negativeWeightSum: 420 }, auto);
  assert.equal(value(r, 'negativeKeepRate'), 1);
  assert.equal(value(r, 'positiveWeight'), 1);
  assert.equal(value(r, 'batchSize'), 64);
  assert.ok(value(r, 'epochs') >= 60, `epochs ${value(r, 'epochs')}`);
  // Enough optimiser steps in all (the old fixed config gave 14 steps on such a set).
  assert.ok(value(r, 'epochs') * r.stats.stepsPerEpoch >= 600, `steps ${value(r, 'epochs') * r.stats.stepsPerEpoch}`);
  assert.ok(value(r, 'earlyStoppingPatience') > 3 && value(r, 'earlyStoppingPatience') < value(r, 'epochs'));
  assert.match(formatRecipe(r).join('\n'), /all negatives kept/);
});

test('imbalance alone does not downsample a small set; plentiful rows alone do not either', () => {
  const fewRows = deriveRecipe({ rows: 5_050, positives: 50, positiveWeightSum: 50, negativeWeightSum: 5_000 }, auto);
  assert.equal(value(fewRows, 'negativeKeepRate'), 1);
  assert.equal(value(fewRows, 'positiveWeight'), 5, 'rare positives are still up-weighted');
  const balancedBig = deriveRecipe({ rows: 200_000, positives: 60_000, positiveWeightSum: 60_000, negativeWeightSum: 140_000 }, auto);
  assert.equal(value(balancedBig, 'negativeKeepRate'), 1);
  assert.equal(value(balancedBig, 'positiveWeight'), 1);
  assert.equal(value(balancedBig, 'batchSize'), 1024);
  assert.equal(value(balancedBig, 'epochs'), 14);
});

test('explicit values win, one field at a time, and the rest is still derived around them', () => {
  const stats = { rows: 700, positives: 280, positiveWeightSum: 280, negativeWeightSum: 420 };
  const r = deriveRecipe(stats, trainConfigSchema.parse({ batchSize: 256, positiveWeight: 3, epochs: 'auto' }));
  assert.equal(value(r, 'batchSize'), 256);
  assert.equal(source(r, 'batchSize'), 'explicit');
  assert.equal(value(r, 'positiveWeight'), 3);
  assert.equal(source(r, 'positiveWeight'), 'explicit');
  assert.equal(source(r, 'epochs'), 'derived');
  assert.equal(r.stats.stepsPerEpoch, 3, 'steps per epoch follow the explicit batch');
  // --set on top of an experiment file, as `vigil run --set train.batchSize=64` does.
  const raw: Record<string, unknown> = { train: { batchSize: 512 } };
  applyOverride(raw, 'train.batchSize=64');
  const cfg = parseConfig(raw);
  const applied = applyRecipe(cfg.train, deriveRecipe(stats, cfg.train));
  assert.equal(applied.batchSize, 64);
  assert.equal(applied.positiveWeight, 1);
  assert.equal(applied.noise, cfg.train.noise, 'non-recipe fields pass through');
});

test('resolveTrainConfig reads only the given rows and refuses rows without a positive', () => {
  const { table, split } = synthVideos({ n: 400, seed: 2, prevalence: 0.4 });
  const rows = rowsOfSplit(split, TRAIN);
  const st = trainingStats(table, rows);
  assert.equal(st.rows, rows.length);
  assert.equal(st.positives, rows.filter((r) => table.harmful[r] === 1).length);
  const { train, recipe } = resolveTrainConfig(table, rows, auto);
  assert.equal(train.negativeKeepRate, 1);
  assert.equal(train.batchSize, recipe.entries.find((e) => e.field === 'batchSize')!.value);
  const negatives = rows.filter((r) => table.harmful[r] === 0);
  assert.throws(() => resolveTrainConfig(table, negatives, auto), (e: unknown) => e instanceof VigilError && /positive/.test(e.message));
});
