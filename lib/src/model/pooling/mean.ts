import * as tf from '@tensorflow/tfjs';
import type { PoolingDef } from './registry.js';
import { uniformWeights } from './uniform.js';

/** Σ mask·h / max(Σ mask, 1). */
export const meanPooling: PoolingDef = {
  name: 'mean',
  params: () => [],
  pool(_p, _prefix, h, mask) {
    const w = uniformWeights(mask);
    return { pooled: tf.sum(tf.mul(h, tf.expandDims(w, 2)), 1) as tf.Tensor2D, weights: w };
  },
};
