import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor, transform, preprocessorFromJSON, preprocessorSha, PREPROCESSOR_VERSION } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { pooledFeatures } from '../../src/features/pooled.js';
import { TEXT_LINEAR_NAME, textDim, textNames } from '../../src/features/textFeaturizer.js';
import { fitSparseLogistic, logisticObjective, sparseLogits, type CsrMatrix } from '../../src/features/sparseLogistic.js';
import { creatorFold, textLinearFeasible, textLinearValue, trainingLinearValues, type FittedTextLinear } from '../../src/features/textLinear.js';
import { createRng } from '../../src/util/rng.js';
import { handTable, type HandRow } from '../fixtures/handTable.js';
import { modelConfigSchema } from '../../src/model/config.js';
import { linearTextWeights } from '../../src/model/linearTextModel.js';
import { predictFusion } from '../../src/model/predict.js';
import { checkParity } from '../../src/pipeline/serving.js';
import { runPythonJson, sklearnAvailable, SKLEARN_SKIP } from '../helpers.js';

/** A random sparse matrix (~30% non-zeros) with labels from a noisy linear rule. */
function toy(n: number, d: number, seed: number): { X: CsrMatrix; y: number[]; w: number[] } {
  const rng = createRng(seed);
  const truth = Array.from({ length: d }, () => rng.normal());
  const rowPtr = new Int32Array(n + 1), col: number[] = [], val: number[] = [], y: number[] = [], w: number[] = [];
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) if (rng.next() < 0.3) { const x = rng.next(); col.push(j); val.push(x); z += x * truth[j]; }
    rowPtr[i + 1] = col.length;
    y.push(rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    w.push(0.5 + rng.next());
  }
  return { X: { rows: n, cols: d, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) }, y, w };
}

test('sparse logistic: analytic gradient matches finite differences', () => {
  const { X, y, w } = toy(40, 6, 3);
  const rows = Array.from({ length: 40 }, (_, i) => i);
  const theta = Float64Array.from([0.3, -0.2, 0.5, 0, 1.1, -0.7, 0.25]);
  const g = new Float64Array(7), scratch = new Float64Array(7);
  const wv = Float64Array.from(w, (x) => 2 * x);
  logisticObjective(X, rows, y, wv, theta, g);
  for (let j = 0; j < 7; j++) {
    const h = 1e-6, p = Float64Array.from(theta), m = Float64Array.from(theta);
    p[j] += h; m[j] -= h;
    const fd = (logisticObjective(X, rows, y, wv, p, scratch) - logisticObjective(X, rows, y, wv, m, scratch)) / (2 * h);
    assert.ok(Math.abs(fd - g[j]) < 1e-5 * Math.max(1, Math.abs(fd)), `coordinate ${j}: ${fd} vs ${g[j]}`);
  }
});

test('sparse logistic: converges to a stationary point, deterministic, and agrees with scikit-learn', (t) => {
  const { X, y, w } = toy(200, 8, 5);
  const rows = Array.from({ length: 200 }, (_, i) => i);
  const m = fitSparseLogistic(X, rows, y, w, { C: 2, gradTol: 1e-10, maxIter: 500 });
  const again = fitSparseLogistic(X, rows, y, w, { C: 2, gradTol: 1e-10, maxIter: 500 });
  assert.deepEqual(Array.from(again.theta), Array.from(m.theta));
  // Stationarity of C·Σ w̃ℓ + ½‖β‖² with w̃ = weights normalised to mean 1.
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const g = new Float64Array(9);
  logisticObjective(X, rows, y, Float64Array.from(w, (x) => (2 * x) / mean), m.theta, g);
  assert.ok(Math.max(...Array.from(g, Math.abs)) < 1e-4, `gradient ${Array.from(g)}`);
  if (!sklearnAvailable()) { t.diagnostic(SKLEARN_SKIP); return; }
  const dense = rows.map((i) => { const r = new Array(8).fill(0); for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) r[X.col[p]] = X.val[p]; return r; });
  const out = runPythonJson(`
import json, sys
from sklearn.linear_model import LogisticRegression
d = json.load(sys.stdin)
m = LogisticRegression(C=2.0, tol=1e-12, max_iter=10000).fit(d['X'], d['y'], sample_weight=d['w'])
print(json.dumps({'coef': m.coef_[0].tolist(), 'b': float(m.intercept_[0])}))`, { X: dense, y, w: w.map((x) => x / mean) });
  const coef = out.coef as number[];
  for (let j = 0; j < 8; j++) assert.ok(Math.abs(coef[j] - m.theta[j]) < 1e-4, `β${j}: ${coef[j]} vs ${m.theta[j]}`);
  assert.ok(Math.abs((out.b as number) - m.theta[8]) < 1e-4);
});

test('sparse logistic: separable toy data is ranked perfectly; stronger C gives larger weights', () => {
  // Column 0 present ⇒ positive; column 1 present ⇒ negative.
  const X: CsrMatrix = { rows: 6, cols: 2, rowPtr: Int32Array.from([0, 1, 2, 3, 4, 5, 6]), col: Int32Array.from([0, 0, 0, 1, 1, 1]), val: new Float64Array(6).fill(1) };
  const rows = [0, 1, 2, 3, 4, 5], y = [1, 1, 1, 0, 0, 0], w = [1, 1, 1, 1, 1, 1];
  const lo = fitSparseLogistic(X, rows, y, w, { C: 0.5 }), hi = fitSparseLogistic(X, rows, y, w, { C: 8 });
  const z = sparseLogits(X, lo.theta);
  assert.ok(Math.min(z[0], z[1], z[2]) > Math.max(z[3], z[4], z[5]));
  assert.ok(hi.theta[0] > lo.theta[0] && lo.theta[0] > 0 && hi.theta[1] < lo.theta[1] && lo.theta[1] < 0);
});

const base: HandRow = { country: 'US', device: 'ios', age: 100, strikes: 0, dur: 10, hour: 6, frames: [[0, 0]], audio: null,
  transcript: null, asr: 0.8, language: 'en', harmful: 0 };
const harmWords = ['kill them all', 'hate those people', 'kill and hate', 'burn them'];
const okWords = ['nice cat video', 'cooking pasta today', 'my cat sleeps', 'pasta with cheese', 'a sunny day', 'today we walk'];
/** 48 rows: harmful ones share harm words, the rest share everyday words; row 47 has no transcript. */
function corpus(): ReturnType<typeof handTable> {
  const rows: HandRow[] = [];
  for (let i = 0; i < 48; i++) {
    const harmful = i % 4 === 0 ? 1 : 0;
    const words = harmful ? harmWords[i % harmWords.length] : okWords[i % okWords.length];
    rows.push({ ...base, harmful, transcript: i === 47 ? null : `${words} ${['x', 'y', 'z'][i % 3]}` });
  }
  return handTable(rows);
}
const cfg = (o: Record<string, unknown> = {}) => featuresConfigSchema.parse({ minLevelCount: 1, ...o });
const trainRows = Array.from({ length: 40 }, (_, i) => i);

test('text linear: the last text column, out-of-fold for training rows only, full model after a JSON round trip', () => {
  const t = corpus();
  const f = fitPreprocessor(t, trainRows, cfg());
  assert.equal(f.version, PREPROCESSOR_VERSION);
  assert.equal(PREPROCESSOR_VERSION, 4);
  const lin = f.text.linear as FittedTextLinear;
  assert.ok(lin, 'on by default');
  const D = f.dims.text;
  assert.equal(textDim(f.text), D);
  assert.equal(textNames(f.text)[D - 1], TEXT_LINEAR_NAME);
  const off = fitPreprocessor(t, trainRows, cfg({ textLinear: false }));
  assert.equal(off.dims.text, D - 1);
  assert.equal(off.text.linear, undefined);
  // Folds are by creator: every creator in this table is its own, so all 4 folds are used.
  assert.equal(new Set(trainRows.map((r) => creatorFold(t.creatorId[r]))).size, 4);

  const all = Array.from({ length: 48 }, (_, i) => i);
  const b = transform(f, t, all);
  const col = (batch: typeof b, k: number) => batch.text[k * D + D - 1];
  const oof = trainingLinearValues(lin)!;
  assert.equal(oof.size, 40);
  for (const r of trainRows) {
    assert.equal(col(b, r), Math.fround(oof.get(t.videoId[r])!));
    // The in-sample (full-model) value differs from the out-of-fold one.
    assert.notEqual(col(b, r), Math.fround(textLinearValue(lin, t.transcript[r])));
  }
  for (const r of [40, 41, 42, 43, 44, 45, 46]) assert.equal(col(b, r), Math.fround(textLinearValue(lin, t.transcript[r])));
  assert.equal(col(b, 47), 0, 'no transcript → 0');
  assert.equal(b.avail[47 * 4 + 3], 0);
  // The linear score ranks the held-out harmful rows (40, 44) above the others.
  assert.ok(Math.min(col(b, 40), col(b, 44)) > Math.max(col(b, 41), col(b, 42), col(b, 43), col(b, 45), col(b, 46)));
  // The rest of the block is the block without the linear score.
  const bo = transform(off, t, all);
  for (let k = 0; k < 48; k++) assert.deepEqual(Array.from(b.text.subarray(k * D, (k + 1) * D - 1)), Array.from(bo.text.subarray(k * (D - 1), (k + 1) * (D - 1))));
  // Pooled features (logistic baseline, noise model, peer export) see the out-of-fold values too.
  const pooled = pooledFeatures(f, t, trainRows);
  for (let k = 0; k < 40; k++) assert.equal(pooled.X[k * pooled.d + pooled.d - 1], col(b, k));

  // JSON: no out-of-fold values stored; the loaded preprocessor scores every row with the full model.
  const json = JSON.stringify(f);
  assert.ok(!json.includes(`"${t.videoId[0]}"`), 'no video ids in preprocessor.json');
  const back = preprocessorFromJSON(JSON.parse(json));
  assert.equal(back.sha, f.sha);
  assert.equal(preprocessorSha(back), f.sha);
  assert.equal(trainingLinearValues(back.text.linear!), undefined);
  const bb = transform(back, t, all);
  for (let k = 0; k < 48; k++) {
    assert.equal(col(bb, k), k === 47 ? 0 : Math.fround(textLinearValue(lin, t.transcript[k])));
    assert.deepEqual(Array.from(bb.text.subarray(k * D, (k + 1) * D - 1)), Array.from(b.text.subarray(k * D, (k + 1) * D - 1)));
  }
});

test('text linear: fit is deterministic; picks C by out-of-fold AP; old versions load and transform as before', () => {
  const t = corpus();
  const a = fitPreprocessor(t, trainRows, cfg()), b = fitPreprocessor(t, trainRows, cfg());
  assert.equal(a.sha, b.sha);
  assert.deepEqual([...trainingLinearValues(a.text.linear!)!], [...trainingLinearValues(b.text.linear!)!]);
  const lin = a.text.linear!;
  assert.ok(lin.grid.length >= 2 && lin.grid.some((g) => g.C === lin.C));
  const bestAp = Math.max(...lin.grid.map((g) => g.oofAp ?? -1));
  assert.equal(lin.grid.find((g) => g.C === lin.C)!.oofAp, bestAp);
  assert.ok(bestAp > 0.9, `out-of-fold AP ${bestAp}`);
  // Cap on the linear vocabulary.
  assert.equal(fitPreprocessor(t, trainRows, cfg({ textLinearVocabulary: 5 })).text.linear!.vocabulary.length, 5);
  // A version-3 file (no linear score) loads and transforms exactly as a textLinear: false fit.
  const off = fitPreprocessor(t, trainRows, cfg({ textLinear: false }));
  const body = { ...off, version: 3 } as Record<string, unknown>;
  delete body.sha;
  const v3 = preprocessorFromJSON(JSON.parse(JSON.stringify({ ...body, sha: preprocessorSha(body as never) })));
  assert.equal(v3.version, 3);
  assert.deepEqual(Array.from(transform(v3, t, [0, 40, 47]).text), Array.from(transform(off, t, [0, 40, 47]).text));
});

test('linear text model: the text-only network whose logit is the text_linear column, in TF.js and ONNX', async () => {
  const t = corpus();
  const f = fitPreprocessor(t, trainRows, cfg());
  const D = f.dims.text;
  const model = modelConfigSchema.parse({});
  for (const fusion of ['mlp', 'linear'] as const) {
    const base = {
      towers: ['meta', 'text'], pooling: 'attention' as const, fusion, hidden: model.hidden, attentionDim: model.attentionDim, fusionHidden: model.fusionHidden,
      metaDim: f.dims.meta, frameDim: f.dims.frame, audioDim: f.dims.audio, textDim: D,
    };
    const w = linearTextWeights(base);
    assert.deepEqual(w.config.towers, ['text']);
    const rows = Array.from({ length: 48 }, (_, i) => i);
    const batch = transform(f, t, rows);
    const out = predictFusion(w, batch);
    // Training rows carry their out-of-fold value, the rest the full model's; a row without a transcript 0.
    for (let k = 0; k < rows.length; k++) assert.ok(Math.abs(out.logit[k] - batch.text[k * D + D - 1]) < 1e-5, `${fusion} row ${k}`);
    assert.equal(out.logit[47], 0);
    const parity = await checkParity(w, { method: 'platt', shift: 0, a: 0.5, b: -1 }, f, t, [40, 41, 42, 43, 44, 45, 46, 47], 1e-5);
    assert.ok(parity.passed, `${fusion}: ONNX vs TF.js ${parity.max}`);
  }
  assert.throws(() => linearTextWeights({ towers: ['text'], pooling: 'mean', fusion: 'mlp', hidden: 1, attentionDim: 4, fusionHidden: 4, metaDim: 3, frameDim: 2, audioDim: 0, textDim: D }),
    /model\.hidden ≥ 2/);
});

test('text linear: too few transcripts of a class → no text_linear column (the block as without it)', () => {
  const t = corpus();
  // Rows 0..15 hold 4 positives with transcripts: below TEXT_LINEAR_MIN_CLASS.
  const few = Array.from({ length: 16 }, (_, i) => i);
  assert.equal(textLinearFeasible(t, few), false);
  assert.equal(textLinearFeasible(t, trainRows), true);
  const f = fitPreprocessor(t, few, cfg());
  assert.equal(f.text.linear, undefined);
  assert.equal(f.dims.text, fitPreprocessor(t, few, cfg({ textLinear: false })).dims.text);
});
