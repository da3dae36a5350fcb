import * as tf from '@tensorflow/tfjs';
import type { VideoTable } from '../data/table.js';
import { transform, type FittedPreprocessor, type TextCache } from '../features/preprocess.js';
import { sortedBatches } from './batching.js';
import type { Params } from './layers.js';
import { batchTensors, disposeInputs, forward } from './network.js';
import { predictFusion } from './predict.js';
import type { FusionNetConfig, FusionWeights } from './weights.js';

/** Raw fused logits (and modality logits) for `rows`, in the order of `rows`. */
export interface RowScores {
  logit: Float32Array;
  /** [rows.length, 4] row-major. */
  modalityLogits: Float32Array;
}

/** Score with live parameters (used during training for early stopping). */
export function scoreParams(p: Params, cfg: FusionNetConfig, fitted: FittedPreprocessor, table: VideoTable,
  rows: ArrayLike<number>, batchSize = 512, textCache?: TextCache): RowScores {
  const pos = new Map<number, number>();
  for (let k = 0; k < rows.length; k++) pos.set(rows[k], k);
  const logit = new Float32Array(rows.length);
  const modalityLogits = new Float32Array(rows.length * 4);
  for (const batch of sortedBatches(table, rows, batchSize)) {
    const x = batchTensors(transform(fitted, table, batch, textCache));
    const [z, m] = tf.tidy(() => {
      const o = forward(p, cfg, x);
      return [o.logit.dataSync(), o.modalityLogits.dataSync()];
    });
    disposeInputs(x);
    batch.forEach((r, b) => {
      const k = pos.get(r)!;
      logit[k] = z[b];
      modalityLogits.set(m.subarray(b * 4, b * 4 + 4), k * 4);
    });
  }
  return { logit, modalityLogits };
}

/** Score serialised weights on table rows (evaluation, reports). Duplicate rows get the same score. */
export function scoreFusion(weights: FusionWeights, fitted: FittedPreprocessor, table: VideoTable,
  rows: ArrayLike<number>, batchSize = 512): RowScores {
  const pos = new Map<number, number[]>();
  for (let k = 0; k < rows.length; k++) (pos.get(rows[k]) ?? pos.set(rows[k], []).get(rows[k])!).push(k);
  const logit = new Float32Array(rows.length);
  const modalityLogits = new Float32Array(rows.length * 4);
  for (const batch of sortedBatches(table, [...pos.keys()], batchSize)) {
    const pr = predictFusion(weights, transform(fitted, table, batch));
    batch.forEach((r, b) => {
      for (const k of pos.get(r)!) {
        logit[k] = pr.logit[b];
        modalityLogits.set(pr.modalityLogits.subarray(b * 4, b * 4 + 4), k * 4);
      }
    });
  }
  return { logit, modalityLogits };
}
