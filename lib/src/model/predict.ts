import * as tf from '@tensorflow/tfjs';
import type { FeatureBatch } from '../features/preprocess.js';
import { VigilError } from '../util/errors.js';
import { batchTensors, disposeInputs, forward, paramSpecs } from './network.js';
import type { Params } from './layers.js';
import type { FusionWeights } from './weights.js';

export interface FusionPrediction {
  /** Raw fused logit z per row [B]. */
  logit: Float32Array;
  /** [B,4] row-major: meta, visual, audio·avail, text·avail. */
  modalityLogits: Float32Array;
  /** [B,T] row-major. */
  frameAttention: Float32Array;
  /** [B,S] row-major. */
  audioAttention: Float32Array;
}

/** The batch must have the dimensions the model was trained with. */
export function checkBatchDims(w: FusionWeights, b: FeatureBatch): void {
  const c = w.config;
  const pairs: [string, number, number][] = [
    ['meta', b.dims.meta, c.metaDim], ['frames', b.dims.frame, c.frameDim],
    ['audio', b.dims.audio, c.audioDim], ['text', b.dims.text, c.textDim],
  ];
  for (const [field, got, want] of pairs) {
    if (got !== want) throw new VigilError(`'${field}': feature dimension ${got} disagrees with the model's ${want}`, { field });
  }
}

/** Check every tensor the config needs is present with the right shape. */
export function checkWeights(w: FusionWeights): void {
  for (const s of paramSpecs(w.config)) {
    const t = w.tensors[s.name];
    const field = `tensors.${s.name}`;
    if (!t) throw new VigilError(`'${field}': missing from the model weights`, { field });
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (t.shape.join(',') !== s.shape.join(',') || t.data.length !== size) {
      throw new VigilError(`'${field}': shape [${t.shape}] (${t.data.length} values), expected [${s.shape}]`, { field });
    }
  }
}

const uploaded = new WeakMap<FusionWeights, Params>();

function paramsOf(w: FusionWeights): Params {
  let p = uploaded.get(w);
  if (!p) {
    checkWeights(w);
    p = {};
    for (const s of paramSpecs(w.config)) p[s.name] = tf.keep(tf.tensor(w.tensors[s.name].data, s.shape, 'float32'));
    uploaded.set(w, p);
  }
  return p;
}

/** Score a preprocessed batch with TF.js from the serialised weights (the reference for ONNX parity). */
export function predictFusion(weights: FusionWeights, batch: FeatureBatch): FusionPrediction {
  checkBatchDims(weights, batch);
  const p = paramsOf(weights);
  const x = batchTensors(batch);
  try {
    return tf.tidy(() => {
      const o = forward(p, weights.config, x);
      return {
        logit: o.logit.dataSync() as Float32Array,
        modalityLogits: o.modalityLogits.dataSync() as Float32Array,
        frameAttention: o.frameAttention.dataSync() as Float32Array,
        audioAttention: o.audioAttention.dataSync() as Float32Array,
      };
    });
  } finally {
    disposeInputs(x);
  }
}

/** Release the tensors predictFusion uploaded for these weights. */
export function releaseWeights(weights: FusionWeights): void {
  const p = uploaded.get(weights);
  if (p) { for (const t of Object.values(p)) t.dispose(); uploaded.delete(weights); }
}
