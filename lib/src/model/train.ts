import * as tf from '@tensorflow/tfjs';
import type { VideoTable } from '../data/table.js';
import { transform, type FittedPreprocessor, type TextCache } from '../features/preprocess.js';
import { CALIB, TRAIN, type SplitAssignment } from '../split/types.js';
import { VigilError } from '../util/errors.js';
import { createRng, type Rng } from '../util/rng.js';
import { progress } from '../util/progress.js';
import type { ModelConfig } from './config.js';
import type { ResolvedTrainConfig } from './recipe.js';
import { initBackend } from './backend.js';
import { bucketedBatches, downsampleNegatives } from './batching.js';
import { initialValues } from './init.js';
import type { Inputs, Params } from './layers.js';
import { adamStep, createAdam } from './adam.js';
import { weightedLoss } from './loss.js';
import { batchTensors, disposeInputs, forward, paramSpecs } from './network.js';
import { averagePrecision } from '../stats/quickMetrics.js';
import { scoreParams } from './score.js';
import { buildNetConfig } from './validate.js';
import type { FusionWeights } from './weights.js';
import { confidentLearning, type NoiseResult } from './noise.js';

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Weighted AP on the calibration window (observed labels) — the early-stopping criterion. */
  calibAp: number;
  rows: number;
  trainSeconds: number;
  rowsPerSec: number;
}

export interface TrainResult {
  weights: FusionWeights;
  history: EpochRecord[];
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  backend: string;
  /** Training throughput over all epochs (rows/s, excluding the calib evaluation). */
  rowsPerSec: number;
  /** The fraction of negatives kept; the calibrator shifts logits by log(negativeKeepRate). */
  negativeKeepRate: number;
  /** Present when label-noise handling ran. */
  noise?: NoiseResult;
}

export interface TrainOptions {
  /** Precomputed noise handling (e.g. shared across model variants); else computed when cfg says so. */
  noise?: NoiseResult;
  /** Skip backend selection (the caller already chose one). */
  keepBackend?: boolean;
  quiet?: boolean;
  /** Called after every epoch with its record (e.g. a live progress line in a notebook). */
  onEpoch?: (rec: EpochRecord) => void;
}

export function rowsOfSplit(split: SplitAssignment, which: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < split.split.length; i++) if (split.split[i] === which) out.push(i);
  return out;
}

/** Modality dropout: zero avail_audio / avail_text per example so fusion learns to do without them. */
function dropModalities(avail: Float32Array, B: number, p: number, rng: Rng): Float32Array {
  const out = avail.slice();
  if (p <= 0) return out;
  for (let b = 0; b < B; b++) {
    if (rng.next() < p) out[b * 4 + 2] = 0;
    if (rng.next() < p) out[b * 4 + 3] = 0;
  }
  return out;
}

function snapshot(values: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.slice()]));
}

/**
 * Train the late-fusion model on split=train rows only; the calibration window is used for early
 * stopping (best calib AP) and never for gradients; test rows are never read.
 */
export async function trainFusion(table: VideoTable, split: SplitAssignment, fitted: FittedPreprocessor,
  cfg: { model: ModelConfig; train: ResolvedTrainConfig }, opts: TrainOptions = {}): Promise<TrainResult> {
  if (split.split.length !== table.n) {
    throw new VigilError(`'split': has ${split.split.length} rows but the table has ${table.n}`, { field: 'split' });
  }
  const t = cfg.train;
  const trainRows = rowsOfSplit(split, TRAIN);
  const calibRows = rowsOfSplit(split, CALIB);
  if (trainRows.length === 0) throw new VigilError("'split': no train rows", { field: 'split' });
  const net = buildNetConfig(cfg.model, fitted, table, trainRows);
  let pos = 0;
  for (const r of trainRows) pos += table.harmful[r] === 1 ? 1 : 0;
  if (pos === 0) throw new VigilError("'harmful': the training rows contain no positive label", { field: 'harmful' });

  const backend = opts.keepBackend ? tf.getBackend() : await initBackend(t.backend);
  const rng = createRng(t.seed);
  const noise = opts.noise ?? (t.noise === 'confident_learning' ? confidentLearning(table, split, fitted, t) : undefined);
  const rowWeight = new Float32Array(table.n);
  for (const r of trainRows) rowWeight[r] = table.weight[r] * (noise ? noise.trainWeight[r] : 1);
  const usable = trainRows.filter((r) => rowWeight[r] > 0);

  const specs = paramSpecs(net);
  const values = initialValues(specs, rng.fork('init'));
  const names = specs.map((s) => s.name);
  const adam = createAdam(values, t.learningRate);
  /** Loss and gradients for one batch, the parameters uploaded from `values`. */
  const step = (x: Inputs, y: tf.Tensor2D, w: tf.Tensor2D): number => {
    const ps = specs.map((s) => tf.tensor(values[s.name], s.shape, 'float32'));
    const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => {
      const p: Params = {};
      names.forEach((n, i) => { p[n] = args[i]; });
      return weightedLoss(forward(p, net, x).logit, y, w, t);
    })(ps);
    const g: Record<string, Float32Array> = {};
    names.forEach((n, i) => { g[n] = grads[i].dataSync() as Float32Array; });
    const loss = value.dataSync()[0];
    adamStep(adam, values, g);
    value.dispose();
    for (const tt of [...ps, ...grads]) tt.dispose();
    return loss;
  };
  const live = (): Params => Object.fromEntries(specs.map((s) => [s.name, tf.tensor(values[s.name], s.shape, 'float32')]));
  const textCache: TextCache = new Array(table.n);

  const history: EpochRecord[] = [];
  let best = { ap: -Infinity, epoch: 0, values: snapshot(values) };
  let totalRows = 0, totalSec = 0;
  const bar = opts.quiet ? undefined : progress('train', t.epochs);
  try {
    for (let epoch = 1; epoch <= t.epochs; epoch++) {
      const er = rng.fork(`epoch${epoch}`);
      const rows = downsampleNegatives(usable, table.harmful, t.negativeKeepRate, er.fork('downsample'));
      const batches = bucketedBatches(table, rows, t.batchSize, t.bucketBatches, er.fork('batches'));
      const dropRng = er.fork('dropout');
      const start = Date.now();
      let lossSum = 0;
      for (const batch of batches) {
        const fb = transform(fitted, table, batch, textCache);
        const x = batchTensors(fb, dropModalities(fb.avail, fb.B, cfg.model.modalityDropout, dropRng));
        const yv = new Float32Array(fb.B), wv = new Float32Array(fb.B);
        batch.forEach((r, b) => {
          yv[b] = table.harmful[r] === 1 ? 1 : 0;
          wv[b] = rowWeight[r] * (yv[b] === 1 ? t.positiveWeight : 1);
        });
        const y = tf.tensor2d(yv, [fb.B, 1]), w = tf.tensor2d(wv, [fb.B, 1]);
        lossSum += step(x, y, w);
        y.dispose(); w.dispose(); disposeInputs(x);
      }
      const sec = (Date.now() - start) / 1000;
      totalRows += rows.length; totalSec += sec;
      let calibAp = NaN;
      if (calibRows.length > 0) {
        const p = live();
        calibAp = averagePrecision(scoreParams(p, net, fitted, table, calibRows, 512, textCache).logit,
          calibRows.map((r) => table.harmful[r]), calibRows.map((r) => table.weight[r]));
        for (const v of Object.values(p)) v.dispose();
      }
      history.push({ epoch, loss: lossSum / Math.max(batches.length, 1), calibAp, rows: rows.length, trainSeconds: sec, rowsPerSec: rows.length / Math.max(sec, 1e-9) });
      opts.onEpoch?.(history[history.length - 1]);
      bar?.tick(epoch, `loss ${(lossSum / Math.max(batches.length, 1)).toFixed(4)} calib AP ${calibAp.toFixed(4)}`);
      // No calib positives (tiny data): keep the last epoch.
      const score = Number.isNaN(calibAp) ? epoch : calibAp;
      if (score > best.ap) best = { ap: score, epoch, values: snapshot(values) };
      else if (epoch - best.epoch >= t.earlyStoppingPatience) break;
    }
  } finally {
    bar?.end();
  }
  const weights: FusionWeights = {
    config: net,
    tensors: Object.fromEntries(specs.map((s) => [s.name, { shape: s.shape, data: Array.from(best.values[s.name]) }])),
  };
  return {
    weights, history, bestEpoch: best.epoch, backend, rowsPerSec: totalRows / Math.max(totalSec, 1e-9),
    negativeKeepRate: t.negativeKeepRate, noise,
  };
}
