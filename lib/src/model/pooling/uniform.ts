import * as tf from '@tensorflow/tfjs';

/** mask / max(Σ mask, 1): uniform weights over real items, all 0 when there are none. */
export function uniformWeights(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.div(mask, tf.maximum(tf.sum(mask, 1, true), 1)) as tf.Tensor2D;
}
