import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import { takeRows } from '../../src/data/table.js';
import { keepsNegative } from '../../src/store/sampleOnRead.js';
import { createRng } from '../../src/util/rng.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { modelConfigSchema, trainConfigSchema } from '../../src/model/config.js';
import { calibrationConfigSchema } from '../../src/calibrate/config.js';
import { evalConfigSchema } from '../../src/eval/config.js';
import { scoreFusion } from '../../src/model/score.js';
import { fitCalibratorWithSelection } from '../../src/calibrate/fit.js';
import { applyCalibrator } from '../../src/calibrate/apply.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { CALIB, TEST, TRAIN, type SplitAssignment } from '../../src/split/types.js';
import {
  calibrateAndEvaluate, collectTrainingTable, exportStreamed, scoreStreamed, trainOnTrainingTable, trainStreamed,
} from '../../src/pipeline/streamedModel.js';
import { VigilError } from '../../src/util/errors.js';

const RATE = 0.5; // exact in float32, so weights divided on read and restored for training round-trip exactly
/** |ONNX − TF.js| allowed on a score: the export parity contract (onnx-parity.test.ts). */
const PARITY_TOL = 1e-4;

/** By upload order: the first 60% train, the next 20% calibration, the last 20% test. */
function timeSplit(videoId: string[]): SplitAssignment {
  const n = videoId.length;
  const split = Uint8Array.from({ length: n }, (_, i) => (i < 0.6 * n ? TRAIN : i < 0.8 * n ? CALIB : TEST));
  return { videoId: [...videoId], groupId: Int32Array.from({ length: n }, (_, i) => i), split, fold: new Int8Array(n).fill(-1) };
}

test('streamed train + evaluate equals the in-memory path on the same sampled rows, holding at most the cap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-streamed-'));
  try {
    const { table: source } = syntheticTable({ n: 900, days: 42, creators: 80, reuploadRate: 0.05, prevalence: 0.12, seed: 3 });
    for (let i = 0; i < source.n; i++) if (i % 5 === 0) source.weight[i] = 2;
    await writeVideoTable(join(dir, 'videos.parquet'), source, { partitionBy: 'week', partRows: 128 });
    const full = await readVideoTable(dir); // store row order, the order the split is aligned with
    const split = timeSplit(full.videoId);
    const cfg = {
      features: featuresConfigSchema.parse({ textLinear: false }), model: modelConfigSchema.parse({}),
      train: trainConfigSchema.parse({ epochs: 2, batchSize: 64, noise: 'none', backend: 'cpu', learningRate: 0.01, positiveWeight: 2 }),
    };
    const read = { batchRows: 50, negativeKeepRate: RATE, maxTrainRows: 600, seed: 4 };
    const streamed = await trainStreamed(dir, split, cfg, read);

    // The same sample chosen in memory: train rows, positives all, negatives by the id-keyed draw.
    const root = createRng(read.seed).fork('negative-sample');
    const expectRows: number[] = [];
    for (let i = 0; i < full.n; i++) {
      if (split.split[i] === TRAIN && (full.harmful[i] === 1 || keepsNegative(root, full.videoId[i], RATE))) expectRows.push(i);
    }
    assert.deepEqual(Array.from(streamed.storeRows), expectRows);
    assert.equal(streamed.heldRows, expectRows.length);
    assert.ok(streamed.heldRows <= read.maxTrainRows && streamed.heldRows < split.split.filter((s) => s === TRAIN).length);
    assert.equal(streamed.train.history.length, 2, 'fixed epochs: no calibration rows, so no early stop');
    assert.equal(streamed.train.negativeKeepRate, RATE);

    const inMemory = await trainOnTrainingTable({ table: takeRows(full, expectRows), storeRows: Int32Array.from(expectRows), sample: streamed.sample }, cfg, RATE);
    assert.deepEqual(inMemory.fitted, streamed.fitted);
    assert.deepEqual(inMemory.train.weights, streamed.train.weights);

    // Scoring chunk by chunk (through the ONNX graph, several length-sorted batches per chunk) keeps only
    // score/label/weight/group per row, in store order, and matches whole-table TF.js scoring within the
    // ONNX parity tolerance.
    const scored = await scoreStreamed(dir, split, streamed.train.weights, streamed.fitted, { batchRows: 37, scoreBatch: 8 });
    assert.ok(scored.maxChunkRows <= 37);
    const evalRows = [...full.videoId.keys()].filter((i) => split.split[i] !== TRAIN);
    assert.equal(scored.n, evalRows.length);
    const ref = scoreFusion(streamed.train.weights, streamed.fitted, full, evalRows);
    ref.logit.forEach((z, k) => assert.ok(Math.abs(z - scored.logit[k]) <= PARITY_TOL, `row ${evalRows[k]}: TF.js ${z} vs ONNX ${scored.logit[k]}`));
    // The batch size only groups rows: any size gives the same logits, in the same order.
    const oneBatch = await scoreStreamed(dir, split, streamed.train.weights, streamed.fitted, { batchRows: 37, scoreBatch: 4096 });
    oneBatch.logit.forEach((z, k) => assert.ok(Math.abs(z - scored.logit[k]) <= PARITY_TOL, `row ${evalRows[k]}: ${z} vs ${scored.logit[k]}`));
    await assert.rejects(scoreStreamed(dir, split, streamed.train.weights, streamed.fitted, { batchRows: 37, scoreBatch: 0 }),
      (e: unknown) => e instanceof VigilError && e.field === 'scoreBatch');
    // A split for another row order is refused mid-scan (the session is released on the way out).
    await assert.rejects(scoreStreamed(dir, timeSplit([...full.videoId].reverse()), streamed.train.weights, streamed.fitted, { batchRows: 37 }),
      (e: unknown) => e instanceof VigilError && e.field === 'split' && /row 0/.test(e.message));

    const ecfg = { calibration: calibrationConfigSchema.parse({}), eval: evalConfigSchema.parse({ bootstrap: 20 }) };
    const got = calibrateAndEvaluate(scored, RATE, ecfg, 5);
    const calib = evalRows.filter((i) => split.split[i] === CALIB), testRows = evalRows.filter((i) => split.split[i] === TEST);
    const pick = (a: ArrayLike<number>, r: number[]) => r.map((i) => a[i]);
    const groupIds = new Map<string, number>();
    for (const i of evalRows) if (!groupIds.has(full.creatorId[i])) groupIds.set(full.creatorId[i], groupIds.size);
    const groups = (r: number[]) => r.map((i) => groupIds.get(full.creatorId[i])!);
    const refLogit = (r: number[]) => Array.from(scoreFusion(streamed.train.weights, streamed.fitted, full, r).logit);
    const cal = fitCalibratorWithSelection(refLogit(calib), pick(full.harmful, calib), pick(full.weight, calib),
      { methods: ecfg.calibration.methods, negativeKeepRate: RATE, groups: groups(calib), seed: 5 });
    assert.equal(got.calibration.chosen, cal.selection.chosen);
    const want = evaluate(applyCalibrator(cal.calibrator, refLogit(testRows)), pick(full.harmful, testRows), pick(full.weight, testRows), groups(testRows), ecfg.eval);
    for (const k of ['ap', 'roc_auc', 'brier', 'logloss'] as const) {
      assert.ok(Math.abs((got.test[k].value ?? NaN) - (want[k].value ?? NaN)) < 1e-6, `${k}: ${got.test[k].value} vs ${want[k].value}`);
    }
    assert.deepEqual(got.rows, { calib: calib.length, test: testRows.length });

    const out = join(dir, 'bundle');
    const ex = exportStreamed(out, streamed.train.weights, got.calibrator, streamed.fitted, 'test');
    assert.ok(ex.onnxBytes > 0 && statSync(join(out, 'model.onnx')).size === ex.onnxBytes && existsSync(join(out, 'preprocessor.json')));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the training-row cap and a split for another store are refused with the field named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-streamed-'));
  try {
    const { table } = syntheticTable({ n: 300, days: 21, creators: 30, reuploadRate: 0, prevalence: 0.1, seed: 8 });
    await writeVideoTable(join(dir, 'videos.parquet'), table, { partRows: 100 });
    const full = await readVideoTable(dir);
    const split = timeSplit(full.videoId);
    await assert.rejects(collectTrainingTable(dir, split, { batchRows: 64, negativeKeepRate: 1, maxTrainRows: 50, seed: 1 }),
      (e: unknown) => e instanceof VigilError && e.field === 'maxTrainRows');
    const other = timeSplit([...full.videoId].reverse());
    await assert.rejects(collectTrainingTable(dir, other, { batchRows: 64, negativeKeepRate: 1, maxTrainRows: 1000, seed: 1 }),
      (e: unknown) => e instanceof VigilError && e.field === 'split' && /row 0/.test(e.message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
