import * as tf from '@tensorflow/tfjs';

/** Model tensors by contract name (tf.Variables while training, constants when predicting). */
export type Params = Record<string, tf.Tensor>;

/** The FeatureBatch as tensors. */
export interface Inputs {
  meta: tf.Tensor2D;
  frames: tf.Tensor3D;
  frameMask: tf.Tensor2D;
  audio: tf.Tensor3D;
  audioMask: tf.Tensor2D;
  text: tf.Tensor2D;
  avail: tf.Tensor2D;
}

function param(p: Params, name: string): tf.Tensor {
  const t = p[name];
  if (!t) throw new Error(`model tensor '${name}' is missing`);
  return t;
}

/** `x·kernel + bias` for x of rank 2 [B,in] or rank 3 [B,T,in] (applied per item). */
export function dense(p: Params, prefix: string, x: tf.Tensor): tf.Tensor {
  const k = param(p, `${prefix}/kernel`) as tf.Tensor2D;
  const b = param(p, `${prefix}/bias`);
  if (x.rank === 2) return tf.add(tf.matMul(x as tf.Tensor2D, k), b);
  const [B, T, D] = x.shape;
  const y = tf.add(tf.matMul(tf.reshape(x, [B * T, D]) as tf.Tensor2D, k), b);
  return tf.reshape(y, [B, T, k.shape[1]]);
}
