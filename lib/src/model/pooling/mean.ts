import type * as tfjs from '@tensorflow/tfjs';
import type { PoolingDef } from './registry.js';
import { emitUniformWeights, emitWeightedSum, uniformWeights } from './uniform.js';

/** Σ mask·h / max(Σ mask, 1). */
export const meanPooling: PoolingDef = {
  name: 'mean',
  params: () => [],
  pool(t, _prefix, h, mask) {
    const { tf } = t;
    const w = uniformWeights(t, mask);
    return { pooled: tf.sum(tf.mul(h, tf.expandDims(w, 2)), 1) as tfjs.Tensor2D, weights: w };
  },
  emit(ctx, _prefix, h, mask) {
    const weights = emitUniformWeights(ctx, mask);
    return { pooled: emitWeightedSum(ctx, h, weights), weights };
  },
};
