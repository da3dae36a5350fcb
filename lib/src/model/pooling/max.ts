import * as tf from '@tensorflow/tfjs';
import type { PoolingDef } from './registry.js';
import { uniformWeights } from './uniform.js';

/** max over t of h·mask — h >= 0 after relu, so a padded item (0) can never beat a real one. */
export const maxPooling: PoolingDef = {
  name: 'max',
  params: () => [],
  pool(_p, _prefix, h, mask) {
    return { pooled: tf.max(tf.mul(h, tf.expandDims(mask, 2)), 1) as tf.Tensor2D, weights: uniformWeights(mask) };
  },
};
