const tf = require('@tensorflow/tfjs');
const { synthVideos } = require('/work/wt-train/lib/dist/test/fixtures/synthVideos.js');
const { fitPreprocessor, transform } = require('/work/wt-train/lib/dist/src/features/preprocess.js');
const { featuresConfigSchema } = require('/work/wt-train/lib/dist/src/features/config.js');
const { initBackend } = require('/work/wt-train/lib/dist/src/model/backend.js');
const { paramSpecs, forward, batchTensors } = require('/work/wt-train/lib/dist/src/model/network.js');
const { initialValues } = require('/work/wt-train/lib/dist/src/model/init.js');
const { weightedLoss } = require('/work/wt-train/lib/dist/src/model/loss.js');
const { createRng } = require('/work/wt-train/lib/dist/src/util/rng.js');
(async () => {
  await initBackend(process.argv[2] || 'wasm');
  const { table, split } = synthVideos({ n: 1000, frameDim: 64, audioDim: 32, maxFrames: 36 });
  const train = []; for (let i = 0; i < table.n; i++) if (split.split[i] === 0) train.push(i);
  const fitted = fitPreprocessor(table, train, featuresConfigSchema.parse({}));
  const fb = transform(fitted, table, train.slice(0, 256));
  const net = { towers: ['meta','visual','audio','text'], pooling: 'attention', fusion: 'mlp', hidden: 32, attentionDim: 16, fusionHidden: 8, metaDim: fitted.dims.meta, frameDim: fitted.dims.frame, audioDim: fitted.dims.audio, textDim: fitted.dims.text };
  const specs = paramSpecs(net); const init = initialValues(specs, createRng(1));
  const vars = {}; for (const s of specs) vars[s.name] = tf.variable(tf.tensor(init[s.name], s.shape));
  const opt = tf.train.adam(0.003);
  const x = batchTensors(fb); const y = tf.zeros([256, 1]); const w = tf.ones([256, 1]);
  const step = () => { const l = opt.minimize(() => weightedLoss(forward(vars, net, x).logit, y, w, { loss: 'bce', focalGamma: 2 }), true, Object.values(vars)); l.dataSync(); l.dispose(); };
  for (let k = 0; k < 3; k++) step();
  let t0 = Date.now(); for (let k = 0; k < 10; k++) step(); console.log('T', fb.T, 'ms/step', (Date.now() - t0) / 10);
  const prof = await tf.profile(() => { step(); });
  const agg = {};
  for (const k of prof.kernels) { const key = k.name + ' ' + JSON.stringify(k.inputShapes); agg[key] = (agg[key] || 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0); }
  console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => v.toFixed(2) + ' ' + k).join('\n'));
  console.log('kernels', prof.kernels.length);
})();
