import type * as tf from '@tensorflow/tfjs';
import type { Params } from '../layers.js';
import type { FusionNetConfig, ParamSpec } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { linearFusion } from './linear.js';
import { mlpFusion } from './mlp.js';

/** Width of the fusion input [l_meta, l_visual, l_audio·a, l_text·a, avail_audio, avail_text]. */
export const FUSION_INPUTS = 6;

/** A fusion head: f [B,6] → raw fused logit z [B,1]. */
export interface FusionDef {
  name: string;
  params(cfg: FusionNetConfig): ParamSpec[];
  forward(p: Params, f: tf.Tensor2D): tf.Tensor2D;
}

export const FUSIONS: Record<string, FusionDef> = {
  [linearFusion.name]: linearFusion,
  [mlpFusion.name]: mlpFusion,
};

export function getFusion(name: string, field = 'model.fusion'): FusionDef {
  const f = FUSIONS[name];
  if (!f) throw new VigilError(`'${field}': unknown fusion head '${name}' (known: ${Object.keys(FUSIONS).join(', ')})`, { field });
  return f;
}
