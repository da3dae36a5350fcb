const { synthVideos } = require('/work/wt-train/lib/dist/test/fixtures/synthVideos.js');
const { fitPreprocessor } = require('/work/wt-train/lib/dist/src/features/preprocess.js');
const { trainFusion } = require('/work/wt-train/lib/dist/src/model/train.js');
const { scoreFusion } = require('/work/wt-train/lib/dist/src/model/score.js');
const { averagePrecision } = require('/work/wt-train/lib/dist/src/model/quickMetrics.js');
const { modelConfigSchema, trainConfigSchema } = require('/work/wt-train/lib/dist/src/model/config.js');
const { featuresConfigSchema } = require('/work/wt-train/lib/dist/src/features/config.js');
(async () => {
  const { table, split } = synthVideos({ n: 2000 });
  const train = []; const test = [];
  for (let i = 0; i < table.n; i++) { if (split.split[i] === 0) train.push(i); if (split.split[i] === 2) test.push(i); }
  const fitted = fitPreprocessor(table, train, featuresConfigSchema.parse({ minLevelCount: 5, textBuckets: 256 }));
  for (const backend of [process.argv[2] || 'wasm']) {
    const t0 = Date.now();
    const res = await trainFusion(table, split, fitted, { model: modelConfigSchema.parse({}), train: trainConfigSchema.parse({ backend, epochs: 5, negativeKeepRate: 1 }) });
    const s = scoreFusion(res.weights, fitted, table, test);
    console.log(backend, res.backend, 'sec', (Date.now() - t0) / 1000, 'rows/s', res.rowsPerSec.toFixed(0), 'best', res.bestEpoch,
      'testAP', averagePrecision(s.logit, test.map(r => table.harmful[r])).toFixed(3), res.history.map(h => h.calibAp.toFixed(3)).join(' '), 'suspects', res.noise?.suspects.length);
  }
})();
