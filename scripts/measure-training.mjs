// Training-speed measurement (a benchmark, not a test): rows/s per epoch of the default fusion model
// on each TF.js backend, on a synthetic table shaped like the default dataset (or --data DIR).
// Usage: node scripts/measure-training.mjs [--rows N] [--frame-dim D] [--backends wasm,cpu] [--epochs E] [--batch B] [--pooling P]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const lib = '../lib/dist';
const { synthVideos } = require(`${lib}/test/fixtures/synthVideos.js`);
const { fitPreprocessor } = require(`${lib}/src/features/preprocess.js`);
const { featuresConfigSchema } = require(`${lib}/src/features/config.js`);
const { modelConfigSchema, trainConfigSchema } = require(`${lib}/src/model/config.js`);
const { trainFusion, rowsOfSplit } = require(`${lib}/src/model/train.js`);
const { resolveTrainConfig } = require(`${lib}/src/model/recipe.js`);

const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '20000' }, 'frame-dim': { type: 'string', default: '64' }, 'audio-dim': { type: 'string', default: '32' },
  backends: { type: 'string', default: 'wasm,cpu' }, epochs: { type: 'string', default: '2' }, pooling: { type: 'string', default: 'attention' }, batch: { type: 'string', default: '256' },
} });
const { table, split } = synthVideos({ n: +values.rows, frameDim: +values['frame-dim'], audioDim: +values['audio-dim'], maxFrames: 36, prevalence: 0.05 });
const fitted = fitPreprocessor(table, rowsOfSplit(split, 0), featuresConfigSchema.parse({}));
for (const backend of values.backends.split(',')) {
  const res = await trainFusion(table, split, fitted, {
    model: modelConfigSchema.parse({ pooling: values.pooling }),
    // Fields not set here (positive weight, learning rate) come from the recipe of the training rows.
    train: resolveTrainConfig(table, rowsOfSplit(split, 0), trainConfigSchema.parse({ backend, epochs: +values.epochs, batchSize: +values.batch, noise: 'none', negativeKeepRate: 1, earlyStoppingPatience: 99 })).train,
  }, { quiet: true });
  const per = res.history.map((h) => h.rowsPerSec.toFixed(0)).join(', ');
  console.log(`${res.backend}: ${res.rowsPerSec.toFixed(0)} rows/s (per epoch: ${per}); rows/epoch ${res.history[0].rows}, batch ${values.batch}, pooling ${values.pooling}, frameDim ${values['frame-dim']}, textDim ${fitted.dims.text}`);
}
