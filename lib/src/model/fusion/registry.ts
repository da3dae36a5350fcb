import type * as tfjs from '@tensorflow/tfjs';
import type { EmitContext, TfContext } from '../component.js';
import type { FusionNetConfig, FusionWeights, ParamSpec } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { linearFusion } from './linear.js';
import { mlpFusion } from './mlp.js';

/** Width of the fusion input [l_meta, l_visual, l_audio·a, l_text·a, avail_audio, avail_text]. */
export const FUSION_INPUTS = 6;

/**
 * A fusion head: f [B,6] → raw fused logit z [B,1]. One module per head holds its tensors, its TF.js
 * forward and its ONNX nodes.
 */
export interface FusionDef {
  name: string;
  params(cfg: FusionNetConfig): ParamSpec[];
  forward(t: TfContext, f: tfjs.Tensor2D): tfjs.Tensor2D;
  /** The same computation as ONNX nodes from the fusion input `f` [B,6]. */
  emit(ctx: EmitContext, f: string): string;
  /**
   * Set the head's tensors (all zero on entry) so that z = f[input] exactly: how a fixed score, such
   * as the linear text model's, passes through the head unchanged (model/linearTextModel.ts).
   */
  passThrough(cfg: FusionNetConfig, tensors: FusionWeights['tensors'], input: number): void;
}

const FUSIONS = new Map<string, FusionDef>();

/** Make a fusion head available under its name (model.fusion, weights' config.fusion). */
export function registerFusion(def: FusionDef): void {
  if (FUSIONS.has(def.name)) throw new VigilError(`fusion head '${def.name}' is already registered`, { field: 'model.fusion' });
  FUSIONS.set(def.name, def);
}

registerFusion(linearFusion);
registerFusion(mlpFusion);

export function fusionNames(): string[] { return [...FUSIONS.keys()]; }

export function getFusion(name: string, field = 'model.fusion'): FusionDef {
  const f = FUSIONS.get(name);
  if (!f) throw new VigilError(`'${field}': unknown fusion head '${name}' (known: ${fusionNames().join(', ')})`, { field });
  return f;
}
