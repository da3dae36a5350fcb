// Training-recipe measurement (not a test): the fixed simulator-tuned settings vs the recipe derived
// from the training rows, on a small balanced synthetic table with a weak signal.
// Usage: node scripts/measure-recipe.mjs [--lr RATE] [--rows 1100] [--prevalence 0.4] [--signal 1.2] [--signal-in visual,audio] [--seeds 1,2,3]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const lib = '../lib/dist';
const { synthVideos } = require(`${lib}/test/fixtures/synthVideos.js`);
const { fitPreprocessor } = require(`${lib}/src/features/preprocess.js`);
const { featuresConfigSchema } = require(`${lib}/src/features/config.js`);
const { modelConfigSchema, trainConfigSchema } = require(`${lib}/src/model/config.js`);
const { trainFusion, rowsOfSplit } = require(`${lib}/src/model/train.js`);
const { scoreFusion } = require(`${lib}/src/model/score.js`);
const { averagePrecision } = require(`${lib}/src/model/quickMetrics.js`);
const { resolveTrainConfig, formatRecipe } = require(`${lib}/src/model/recipe.js`);
const { setQuiet } = require(`${lib}/src/util/progress.js`);
setQuiet(true);

const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '1100' }, prevalence: { type: 'string', default: '0.4' }, signal: { type: 'string', default: '1.2' },
  seeds: { type: 'string', default: '1,2,3' }, 'signal-in': { type: 'string', default: 'visual,audio' },
  lr: { type: 'string' },
} });
const fixed = { epochs: 14, batchSize: 1024, learningRate: 0.008, positiveWeight: 5, negativeKeepRate: 0.25, earlyStoppingPatience: 3 };
const model = modelConfigSchema.parse({});
for (const seed of values.seeds.split(',').map(Number)) {
  const { table, split } = synthVideos({ n: +values.rows, seed, prevalence: +values.prevalence, signal: +values.signal, maxFrames: 20, signalIn: values['signal-in'].split(',') });
  const train = rowsOfSplit(split, 0), test = rowsOfSplit(split, 2);
  const fitted = fitPreprocessor(table, train, featuresConfigSchema.parse({ minLevelCount: 5 }));
  const auto = resolveTrainConfig(table, train, trainConfigSchema.parse({ noise: 'none', ...(values.lr ? { learningRate: +values.lr } : {}) }));
  if (seed === +values.seeds.split(',')[0]) console.log(formatRecipe(auto.recipe).join('\n'));
  for (const [name, t] of [['fixed', trainConfigSchema.parse({ noise: 'none', ...fixed })], ['recipe', auto.train]]) {
    const t0 = Date.now();
    const res = await trainFusion(table, split, fitted, { model, train: t }, { quiet: true });
    const z = scoreFusion(res.weights, fitted, table, test).logit;
    const ap = averagePrecision(z, test.map((r) => table.harmful[r]));
    const steps = res.history.reduce((a, h) => a + Math.ceil(h.rows / t.batchSize), 0);
    console.log(`seed ${seed} ${name.padEnd(6)} test AP ${ap.toFixed(4)}  best calib AP ${Math.max(...res.history.map((h) => h.calibAp)).toFixed(4)}  best epoch ${res.bestEpoch}/${res.history.length}  steps ${steps}  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}
