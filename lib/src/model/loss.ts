import * as tf from '@tensorflow/tfjs';

export interface LossOptions {
  loss: 'bce' | 'focal';
  focalGamma: number;
}

/**
 * Per-example weighted loss on logits, averaged over the batch. Written with exp/log/abs only:
 * the wasm backend has no Log1p gradient, so log1p(exp(−|z|)) is spelled log(1 + exp(−|z|)).
 */
export function weightedLoss(z: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D, o: LossOptions): tf.Scalar {
  // Stable BCE with logits: max(z,0) − z·y + log(1 + e^{−|z|}).
  const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(z))))));
  let per: tf.Tensor = bce;
  if (o.loss === 'focal' && o.focalGamma > 0) {
    // p_t = probability given to the observed class; (1 − p_t)^γ shrinks easy examples (the flood of
    // obvious negatives) so the rare hard ones drive the gradient.
    const p = tf.sigmoid(z);
    const pt = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p)));
    per = tf.mul(tf.pow(tf.maximum(tf.sub(1, pt), 1e-12), o.focalGamma), bce);
  }
  return tf.mean(tf.mul(per, w)) as tf.Scalar;
}
