/**
 * The model stages with memory bounded by config values, not by the dataset: train on the training
 * rows sampled while reading the feature store, then score calibration and test rows chunk by chunk
 * keeping only a few numbers per row, calibrate, evaluate and export.
 *
 * The split is given as a `SplitAssignment` aligned with the store's row order (as `split.parquet`
 * is written); it costs a few bytes per row and is the only per-row state held for the whole store.
 *
 * Training follows the in-memory path's semantics for downsampled negatives: the model trains on the
 * kept negatives at their original weights and the calibrator shifts logits by log(rate). The only
 * difference is that the negatives are sampled once, while reading, instead of afresh each epoch.
 * The training table holds no calibration rows, so training runs exactly `train.epochs` epochs.
 *
 * Calibration and test rows are scored through the exported ONNX graph in ONNX Runtime, fed by the
 * serving preprocessor: the evaluated scores are the deployed graph's, and ONNX Runtime scores several
 * times faster than the TF.js CPU backend.
 */
import type { VideoTable } from '../data/table.js';
import { concatVideoTables, takeRows } from '../data/table.js';
import { scanVideoBatches } from '../data/parquet.js';
import { readSampled, type SampleOnReadStats } from '../store/sampleOnRead.js';
import { fitPreprocessor, type FittedPreprocessor } from '../features/preprocess.js';
import type { FeaturesConfig } from '../features/config.js';
import type { ModelConfig, TrainConfig } from '../model/config.js';
import { presentTowers } from '../model/presentTowers.js';
import { resolveTrainConfig, type Recipe } from '../model/recipe.js';
import { trainFusion, type TrainResult } from '../model/train.js';
import { sortedBatches } from '../model/batching.js';
import type { FusionWeights } from '../model/weights.js';
import { fitCalibratorWithSelection, type CalibrationSelection } from '../calibrate/fit.js';
import { applyCalibrator } from '../calibrate/apply.js';
import type { Calibrator } from '../calibrate/types.js';
import type { CalibrationConfig } from '../calibrate/config.js';
import { evaluate, type MetricBlock } from '../eval/evaluate.js';
import type { EvalConfig } from '../eval/config.js';
import { buildFusionOnnx } from '../export/fusionGraph.js';
import { openFusionSession } from '../serve/onnxSession.js';
import { servingPreprocessor } from '../serve/fittedPreprocessing.js';
import { CALIB, TEST, TRAIN, type SplitAssignment } from '../split/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

export interface StreamedReadOptions {
  /** Rows decoded at a time. */
  batchRows: number;
  /** Share of training negatives kept while reading, in (0, 1]; positives are all kept. */
  negativeKeepRate: number;
  /** Most training rows held in memory: the bound on the training table, whatever the store's size. */
  maxTrainRows: number;
  seed: number;
}

export interface TrainingTable {
  /** Only the kept training rows, in store order, at their original weights. */
  table: VideoTable;
  /** Store row index of each row of `table`. */
  storeRows: Int32Array;
  sample: SampleOnReadStats;
}

/** The split's row `r` must be the store's row `r`: checked by video id on every row joined. */
function checkAligned(split: SplitAssignment, storeRow: number, videoId: string): void {
  if (storeRow >= split.videoId.length || split.videoId[storeRow] !== videoId) {
    throw new VigilError(`split: row ${storeRow} of the store is video '${videoId}' but the split's row ${storeRow} is ` +
      `'${split.videoId[storeRow] ?? '(none)'}' — the split must be written for this store, in its row order`, { field: 'split', row: storeRow });
  }
}

/**
 * Read the store once, keeping the training rows that survive negative sampling. Memory: one
 * decoded batch plus the kept rows, refused beyond `maxTrainRows`.
 */
export async function collectTrainingTable(store: string, split: SplitAssignment, o: StreamedReadOptions): Promise<TrainingTable> {
  if (!(Number.isInteger(o.maxTrainRows) && o.maxTrainRows >= 1)) {
    throw new VigilError(`maxTrainRows: expected a positive integer, got ${o.maxTrainRows}`, { field: 'maxTrainRows' });
  }
  const chunks: VideoTable[] = [];
  const rowParts: Int32Array[] = [];
  let held = 0;
  // Training keeps the stored weights (the sampling is corrected by the calibrator's log-rate shift).
  const sample = await readSampled(store, { batchRows: o.batchRows, negativeKeepRate: o.negativeKeepRate, seed: o.seed, reweight: false }, (chunk, rowIdx) => {
    const keep: number[] = [];
    for (let k = 0; k < chunk.n; k++) {
      checkAligned(split, rowIdx[k], chunk.videoId[k]);
      if (split.split[rowIdx[k]] === TRAIN) keep.push(k);
    }
    if (keep.length === 0) return;
    held += keep.length;
    if (held > o.maxTrainRows) {
      throw new VigilError(`maxTrainRows: the sampled training rows exceed the cap of ${o.maxTrainRows} (at store row ${rowIdx[keep[keep.length - 1]]}) — ` +
        'lower negativeKeepRate or raise the cap', { field: 'maxTrainRows', row: rowIdx[keep[keep.length - 1]] });
    }
    chunks.push(keep.length === chunk.n ? chunk : takeRows(chunk, keep));
    rowParts.push(Int32Array.from(keep, (k) => rowIdx[k]));
  });
  if (held === 0) throw new VigilError(`${store}: no training rows (split=train) in the store`, { field: 'split' });
  const storeRows = new Int32Array(held);
  let at = 0;
  for (const p of rowParts) { storeRows.set(p, at); at += p.length; }
  // One copy at the end: the chunks are released as soon as the concatenation returns.
  const table = chunks.length === 1 ? chunks[0] : concatVideoTables(chunks);
  chunks.length = 0;
  return { table, storeRows, sample };
}

export interface StreamedModelConfig {
  features: FeaturesConfig;
  model: ModelConfig;
  /** `epochs` should be set: with no calibration rows in the training table every epoch runs. */
  train: TrainConfig;
}

export interface StreamedTrainResult {
  /** `negativeKeepRate` is the sampling rate of the read (the calibrator's shift). */
  train: TrainResult;
  fitted: FittedPreprocessor;
  recipe: Recipe;
  heldRows: number;
  storeRows: Int32Array;
  sample: SampleOnReadStats;
}

/** Fit the preprocessor and train the fusion model on a table that holds only training rows. */
export async function trainOnTrainingTable(t: TrainingTable, cfg: StreamedModelConfig, negativeKeepRate: number): Promise<Omit<StreamedTrainResult, 'storeRows' | 'sample'>> {
  const { table } = t;
  const all = Array.from({ length: table.n }, (_, i) => i);
  const fitted = fitPreprocessor(table, all, cfg.features);
  const towers = presentTowers(table, all, cfg.model.towers);
  // Negatives were sampled while reading: no second downsampling inside training.
  const { train, recipe } = resolveTrainConfig(table, all, { ...cfg.train, negativeKeepRate: 1 });
  const assignment: SplitAssignment = {
    videoId: table.videoId, groupId: new Int32Array(table.n), split: new Uint8Array(table.n).fill(TRAIN), fold: new Int8Array(table.n).fill(-1),
  };
  const result = await trainFusion(table, assignment, fitted, { model: { ...cfg.model, towers: towers.towers }, train }, { quiet: true });
  return { train: { ...result, negativeKeepRate }, fitted, recipe, heldRows: table.n };
}

export async function trainStreamed(store: string, split: SplitAssignment, cfg: StreamedModelConfig, o: StreamedReadOptions): Promise<StreamedTrainResult> {
  const t = await collectTrainingTable(store, split, o);
  const r = await trainOnTrainingTable(t, cfg, o.negativeKeepRate);
  return { ...r, storeRows: t.storeRows, sample: t.sample };
}

/** What scoring keeps per calibration/test row: nothing of the row's features. */
export interface ScoredRows {
  n: number;
  split: Uint8Array;
  logit: Float32Array;
  label: Uint8Array;
  weight: Float32Array;
  /** Creator, as a dense id (the bootstrap's resampling unit). */
  group: Int32Array;
  hasAudio: Uint8Array;
  /** Largest number of rows decoded at once. */
  maxChunkRows: number;
}

/**
 * The graph's calibrator while scoring: its `logit` output is the fused logit before calibration,
 * so any valid calibrator gives the same logits; the identity (temperature 1, no shift) is the simplest.
 */
const LOGIT_ONLY_CALIBRATOR: Calibrator = { method: 'temperature', shift: 0, T: 1 };

/**
 * Rows per ONNX Runtime call. Measured on a 101k-row scale store (tiny preset, one intra-op thread):
 * 128 to 2,048 rows per call score at the same rate (the graph is ~4% of the time, the preprocessing's
 * text features most of the rest), while peak memory grows with the batch (ONNX Runtime's arena keeps
 * its largest intermediates): 256 is the smallest batch at full speed.
 */
export const DEFAULT_SCORE_BATCH = 256;

/**
 * Score every calibration and test row of the store, one decoded batch at a time, through the ONNX
 * graph built from `weights` (one session for the whole scan). Memory: the few numbers kept per row,
 * one decoded chunk, and one batch of `scoreBatch` rows' input tensors.
 */
export async function scoreStreamed(store: string, split: SplitAssignment, weights: FusionWeights, fitted: FittedPreprocessor,
  o: { batchRows: number; scoreBatch?: number }): Promise<ScoredRows> {
  const scoreBatch = o.scoreBatch ?? DEFAULT_SCORE_BATCH;
  if (!(Number.isInteger(scoreBatch) && scoreBatch >= 1)) {
    throw new VigilError(`scoreBatch: expected a positive integer (rows per ONNX Runtime call), got ${scoreBatch}`, { field: 'scoreBatch' });
  }
  let n = 0;
  for (let i = 0; i < split.split.length; i++) if (split.split[i] === CALIB || split.split[i] === TEST) n++;
  const s: ScoredRows = { n, split: new Uint8Array(n), logit: new Float32Array(n), label: new Uint8Array(n), weight: new Float32Array(n),
    group: new Int32Array(n), hasAudio: new Uint8Array(n), maxChunkRows: 0 };
  const creators = new Map<string, number>();
  const pre = servingPreprocessor(fitted);
  // One intra-op thread, as serving runs it: scoring parallelises across processes, not inside one.
  const session = await openFusionSession(buildFusionOnnx(weights, LOGIT_ONLY_CALIBRATOR), { threads: 1 });
  let at = 0;
  try {
    await scanVideoBatches(store, async (chunk, rowBase) => {
      s.maxChunkRows = Math.max(s.maxChunkRows, chunk.n);
      const rows: number[] = [];
      for (let k = 0; k < chunk.n; k++) {
        checkAligned(split, rowBase + k, chunk.videoId[k]);
        const w = split.split[rowBase + k];
        if (w === CALIB || w === TEST) rows.push(k);
      }
      if (rows.length === 0) return;
      // Rows are kept in store order at s[at + j]; batches sorted by length pad the least.
      const slot = new Int32Array(chunk.n);
      rows.forEach((k, j) => { slot[k] = at + j; });
      for (const batch of sortedBatches(chunk, rows, scoreBatch)) {
        const y = await session.run(pre.transform(chunk, batch));
        batch.forEach((k, b) => { s.logit[slot[k]] = y.logit[b]; });
      }
      rows.forEach((k) => {
        const c = chunk.creatorId[k];
        let g = creators.get(c);
        if (g === undefined) { g = creators.size; creators.set(c, g); }
        s.split[at] = split.split[rowBase + k]; s.label[at] = chunk.harmful[k];
        s.weight[at] = chunk.weight[k]; s.group[at] = g; s.hasAudio[at] = chunk.hasAudio[k];
        at++;
      });
    }, { batchSize: o.batchRows });
  } finally {
    await session.release();
  }
  if (at !== n) throw new VigilError(`split: ${n} calibration/test rows in the split but ${at} in the store`, { field: 'split' });
  return s;
}

export interface StreamedEvaluation {
  calibrator: Calibrator;
  calibration: CalibrationSelection;
  test: MetricBlock;
  /** Test rows with / without an audio track (slices with enough positives only). */
  slices: Record<string, MetricBlock>;
  rows: { calib: number; test: number };
}

/** Calibrate on the calibration rows and evaluate on the test rows, from the kept scores only. */
export function calibrateAndEvaluate(s: ScoredRows, negativeKeepRate: number, cfg: { calibration: CalibrationConfig; eval: EvalConfig }, seed: number): StreamedEvaluation {
  const idx = (which: number) => { const r: number[] = []; for (let i = 0; i < s.n; i++) if (s.split[i] === which) r.push(i); return r; };
  const calib = idx(CALIB), test = idx(TEST);
  const at = <T extends ArrayLike<number>>(a: T, rows: number[]) => rows.map((i) => a[i]);
  const { calibrator, selection } = fitCalibratorWithSelection(at(s.logit, calib), at(s.label, calib), at(s.weight, calib),
    { methods: cfg.calibration.methods, negativeKeepRate, groups: at(s.group, calib), seed });
  const evalRows = (rows: number[]) => evaluate(applyCalibrator(calibrator, at(s.logit, rows)), at(s.label, rows), at(s.weight, rows), at(s.group, rows), cfg.eval);
  const slices: Record<string, MetricBlock> = {};
  for (const [name, v] of [['has_audio', 1], ['no_audio', 0]] as const) {
    const rows = test.filter((i) => s.hasAudio[i] === v);
    if (rows.filter((i) => s.label[i] === 1).length >= cfg.eval.minSlicePositives) slices[name] = evalRows(rows);
  }
  return { calibrator, calibration: selection, test: evalRows(test), slices, rows: { calib: calib.length, test: test.length } };
}

/** The existing ONNX export of the trained model with its calibrator, plus the preprocessor it needs. */
export function exportStreamed(dir: string, weights: FusionWeights, calibrator: Calibrator, fitted: FittedPreprocessor, modelVersion: string): { onnxBytes: number } {
  mkdirSync(dir, { recursive: true });
  const onnx = buildFusionOnnx(weights, calibrator, { modelVersion });
  writeFileAtomic(join(dir, 'model.onnx'), onnx);
  writeJsonAtomic(join(dir, 'preprocessor.json'), fitted);
  return { onnxBytes: onnx.length };
}
