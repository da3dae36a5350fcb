/**
 * The fusion-model contract of docs/ARCHITECTURE.md as seen by export and serving: the trainer's
 * weights and the calibration step's calibrator (re-exported from their owners), and the padded
 * batch the ONNX graph reads — structurally the preprocessing's `FeatureBatch`, minus its `dims`, so
 * tests can also build inputs without a fitted preprocessor.
 */

export type { FusionWeights, PoolingName, FusionName, TowerName } from '../model/weights.js';
export type { Calibrator } from '../calibrate/types.js';
import type { FusionWeights } from '../model/weights.js';

/**
 * One padded, preprocessed batch (the `FeatureBatch` tensors, row-major flat arrays).
 * meta [B,Dm], frames [B,T,Dv], frameMask [B,T], audio [B,S,Da], audioMask [B,S], text [B,Dt], avail [B,4].
 */
export interface FusionInputs {
  B: number;
  T: number;
  S: number;
  meta: Float32Array;
  frames: Float32Array;
  frameMask: Float32Array;
  audio: Float32Array;
  audioMask: Float32Array;
  text: Float32Array;
  avail: Float32Array;
}

/** What the ONNX graph returns (and the reference forward pass computes). */
export interface FusionOutputs {
  /** [B] calibrated probability. */
  risk: Float32Array | Float64Array;
  /** [B] raw fused logit z. */
  logit: Float32Array | Float64Array;
  /** [B,4] (meta, visual, audio, text): the tower logits as they enter the fusion (audio/text gated by availability). */
  modalityLogits: Float32Array | Float64Array;
  /** [B,T] weights over frames (0 on padding). */
  frameAttention: Float32Array | Float64Array;
  /** [B,S] weights over audio segments (0 on padding; with no audio: 0 for mean/max, uniform for attention). */
  audioAttention: Float32Array | Float64Array;
}

/** Check that a FusionInputs' arrays have the sizes its dims imply. */
export function checkInputs(x: FusionInputs, cfg: FusionWeights['config']): void {
  const want: [string, number, number][] = [
    ['meta', x.meta.length, x.B * cfg.metaDim],
    ['frames', x.frames.length, x.B * x.T * cfg.frameDim],
    ['frameMask', x.frameMask.length, x.B * x.T],
    ['audio', x.audio.length, x.B * x.S * cfg.audioDim],
    ['audioMask', x.audioMask.length, x.B * x.S],
    ['text', x.text.length, x.B * cfg.textDim],
    ['avail', x.avail.length, x.B * 4],
  ];
  for (const [name, got, exp] of want) {
    if (got !== exp) throw new Error(`fusion inputs: '${name}' has ${got} values, expected ${exp}`);
  }
  if (x.T < 1 || x.S < 1) throw new Error(`fusion inputs: T and S must be >= 1 (got T=${x.T}, S=${x.S})`);
}
