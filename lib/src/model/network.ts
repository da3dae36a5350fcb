import * as tf from '@tensorflow/tfjs';
import type { Inputs, Params } from './layers.js';
import { getTower } from './towers/registry.js';
import { getFusion } from './fusion/registry.js';
import { getPooling } from './pooling/registry.js';
import { MODALITIES, type FusionNetConfig, type ParamSpec } from './weights.js';
import type { FeatureBatch } from '../features/preprocess.js';

export interface ForwardOut {
  /** Raw fused logit z [B,1]. */
  logit: tf.Tensor2D;
  /** The modality logits as they enter the fusion head [B,4]: l_meta, l_visual, l_audio·avail_audio, l_text·avail_text. */
  modalityLogits: tf.Tensor2D;
  frameAttention: tf.Tensor2D;
  audioAttention: tf.Tensor2D;
}

/** Every tensor the configured network has, in a stable order (towers in MODALITIES order, then fusion). */
export function paramSpecs(cfg: FusionNetConfig): ParamSpec[] {
  getPooling(cfg.pooling);
  const towers = MODALITIES.filter((m) => cfg.towers.includes(m));
  return [...towers.flatMap((t) => getTower(t).params(cfg)), ...getFusion(cfg.fusion).params(cfg)];
}

/**
 * The fusion network (docs/ARCHITECTURE.md). A tower the model does not have contributes a 0 logit
 * and a 0 availability flag, so the model does not depend on that modality at all, and its item
 * weights are [B,0] (there are no items it looked at).
 */
export function forward(p: Params, cfg: FusionNetConfig, x: Inputs): ForwardOut {
  const B = x.avail.shape[0];
  const zero = tf.zeros([B, 1]) as tf.Tensor2D;
  const out: Partial<Record<string, { logit: tf.Tensor2D; weights?: tf.Tensor2D }>> = {};
  for (const m of MODALITIES) if (cfg.towers.includes(m)) out[m] = getTower(m).forward(p, cfg, x);
  const availAudio = cfg.towers.includes('audio') ? tf.slice(x.avail, [0, 2], [B, 1]) : zero;
  const availText = cfg.towers.includes('text') ? tf.slice(x.avail, [0, 3], [B, 1]) : zero;
  const lMeta = out.meta?.logit ?? zero;
  const lVisual = out.visual?.logit ?? zero;
  const lAudio = tf.mul(out.audio?.logit ?? zero, availAudio);
  const lText = tf.mul(out.text?.logit ?? zero, availText);
  const modalityLogits = tf.concat([lMeta, lVisual, lAudio, lText], 1) as tf.Tensor2D;
  const f = tf.concat([modalityLogits, availAudio, availText], 1) as tf.Tensor2D;
  return {
    logit: getFusion(cfg.fusion).forward(p, f),
    modalityLogits,
    frameAttention: out.visual?.weights ?? tf.zeros([B, 0]) as tf.Tensor2D,
    audioAttention: out.audio?.weights ?? tf.zeros([B, 0]) as tf.Tensor2D,
  };
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
