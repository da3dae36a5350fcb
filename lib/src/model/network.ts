import * as tf from '@tensorflow/tfjs';
import { dense, type Inputs, type Params } from './layers.js';
import type { TfContext } from './component.js';
import { TOWERS } from './towers/registry.js';
import { getFusion } from './fusion/registry.js';
import type { FusionNetConfig } from './weights.js';
import type { FeatureBatch } from '../features/preprocess.js';

export interface ForwardOut {
  /** Raw fused logit z [B,1]. */
  logit: tf.Tensor2D;
  /** The modality logits as they enter the fusion head [B,4]: l_meta, l_visual, l_audio·avail_audio, l_text·avail_text. */
  modalityLogits: tf.Tensor2D;
  frameAttention: tf.Tensor2D;
  audioAttention: tf.Tensor2D;
}

export { paramSpecs } from './paramSpecs.js';

/**
 * The fusion network (docs/ARCHITECTURE.md), assembled from the registered components. A tower the
 * model does not have contributes a 0 logit and a 0 availability flag, so the model does not depend
 * on that modality at all, and its item weights are [B,0] (there are no items it looked at).
 */
export function forward(p: Params, cfg: FusionNetConfig, x: Inputs): ForwardOut {
  const B = x.avail.shape[0];
  const ctx: TfContext = { tf, p, dense: (prefix, v, inputIsData = false) => dense(p, prefix, v, inputIsData) };
  const zero = tf.zeros([B, 1]) as tf.Tensor2D;
  const logits: tf.Tensor2D[] = [], gates: tf.Tensor2D[] = [];
  const out: ForwardOut = { logit: zero, modalityLogits: zero, frameAttention: tf.zeros([B, 0]), audioAttention: tf.zeros([B, 0]) };
  for (const t of TOWERS) {
    const has = cfg.towers.includes(t.name);
    const r = has ? t.forward(ctx, cfg, x) : null;
    if (r?.weights && t.items) out[t.items.output] = r.weights;
    let l = r?.logit ?? zero;
    if (t.gate !== undefined) {
      const a = has ? tf.slice(x.avail, [0, t.gate], [B, 1]) as tf.Tensor2D : zero;
      gates.push(a);
      l = tf.mul(l, a);
    }
    logits.push(l);
  }
  out.modalityLogits = tf.concat(logits, 1) as tf.Tensor2D;
  out.logit = getFusion(cfg.fusion).forward(ctx, tf.concat([out.modalityLogits, ...gates], 1) as tf.Tensor2D);
  return out;
}

/** Upload a FeatureBatch as input tensors (`avail` may be replaced, e.g. by modality dropout). */
export function batchTensors(b: FeatureBatch, avail: Float32Array = b.avail): Inputs {
  return {
    meta: tf.tensor2d(b.meta, [b.B, b.dims.meta]),
    frames: tf.tensor3d(b.frames, [b.B, b.T, b.dims.frame]),
    frameMask: tf.tensor2d(b.frameMask, [b.B, b.T]),
    audio: tf.tensor3d(b.audio, [b.B, b.S, b.dims.audio]),
    audioMask: tf.tensor2d(b.audioMask, [b.B, b.S]),
    text: tf.tensor2d(b.text, [b.B, b.dims.text]),
    avail: tf.tensor2d(avail, [b.B, 4]),
  };
}

export function disposeInputs(x: Inputs): void {
  for (const t of Object.values(x)) t.dispose();
}
