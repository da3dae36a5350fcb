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

/**
 * x·W + b with a hand-written gradient that uses only untransposed matmuls. The wasm backend's
 * BatchMatMul is fast (XNNPACK) only without transpose flags; the default gradient of matMul uses
 * them and measured 10–20× slower per FLOP. Explicit tf.transpose + plain matMul is much faster.
 */
function makeAffine(inputIsData: boolean): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  // customGrad passes the inputs then its save function as one untyped list; narrow each by kind.
  const isTensor = (v: tf.Tensor | tf.GradSaveFunc | undefined): v is tf.Tensor => v !== undefined && typeof v !== 'function';
  const affine = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = inputs;
    if (!isTensor(x) || !isTensor(w) || !isTensor(b) || typeof save !== 'function') throw new Error('affine: expected x, w, b and the gradient save function');
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D;
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        // A model input (frames, text, ...) needs no gradient: skip that matmul.
        const dx = inputIsData ? tf.zerosLike(xs) : tf.matMul(g, tf.transpose(ws));
        return [dx, tf.matMul(tf.transpose(xs), g), tf.sum(g, 0)];
      },
    };
  });
  return (x, w, b) => affine(x, w, b);
}
const affineHidden = makeAffine(false);
const affineInput = makeAffine(true);

/**
 * `x·kernel + bias` for x of rank 2 [B,in] or rank 3 [B,T,in] (applied per item). `inputIsData`:
 * x is a model input, not a function of parameters (its gradient is never needed).
 */
export function dense(p: Params, prefix: string, x: tf.Tensor, inputIsData = false): tf.Tensor {
  const affine = inputIsData ? affineInput : affineHidden;
  const k = param(p, `${prefix}/kernel`) as tf.Tensor2D;
  const b = param(p, `${prefix}/bias`);
  if (x.rank === 2) return affine(x, k, b);
  const [B, T, D] = x.shape;
  const y = affine(tf.reshape(x, [B * T, D]), k, b);
  return tf.reshape(y, [B, T, k.shape[1]]);
}
