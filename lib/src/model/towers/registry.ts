import type * as tfjs from '@tensorflow/tfjs';
import type { Inputs } from '../layers.js';
import type { EmitContext, GraphInput, TfContext } from '../component.js';
import { MODALITIES, type FusionNetConfig, type ParamSpec, type TowerName } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { metaTower } from './meta.js';
import { visualTower, audioTower } from './sequence.js';
import { textTower } from './text.js';

/** Config keys of the input dimensions, one per tower. */
export type DimKey = 'metaDim' | 'frameDim' | 'audioDim' | 'textDim';

/**
 * A per-modality tower: produces one logit per example (and item weights for sequence towers). One
 * module per tower holds its tensors, its graph inputs, its TF.js forward and its ONNX nodes.
 */
export interface TowerDef {
  name: TowerName;
  /** Config key of the tower's input width (may be 0 only when the model has no such tower). */
  dimKey: DimKey;
  /**
   * Column of `avail` that gates the tower's logit into the fusion input (l·a, and a itself after the
   * four logits); absent for towers that are always there when the model has them (meta, visual).
   */
  gate?: number;
  /** A sequence tower's per-item weights: the prediction field, the ONNX output and its item dim. */
  items?: { output: 'frameAttention' | 'audioAttention'; graphOutput: string; dim: string };
  params(cfg: FusionNetConfig): ParamSpec[];
  /** The ONNX inputs the tower reads, in contract order. */
  graphInputs(cfg: FusionNetConfig): GraphInput[];
  forward(t: TfContext, cfg: FusionNetConfig, x: Inputs): { logit: tfjs.Tensor2D; weights?: tfjs.Tensor2D };
  /** The same computation as ONNX nodes; `inputs` are the names of graphInputs, in order. */
  emit(ctx: EmitContext, cfg: FusionNetConfig, inputs: string[]): { logit: string; weights?: string };
}

/** Every tower in MODALITIES order: the order of the fusion input, of the tensors and of the ONNX inputs. */
export const TOWERS: readonly TowerDef[] = [metaTower, visualTower, audioTower, textTower];
if (TOWERS.some((t, k) => t.name !== MODALITIES[k])) throw new Error('towers/registry.ts: TOWERS must follow MODALITIES');

export function getTower(name: string, field = 'model.towers'): TowerDef {
  const t = TOWERS.find((d) => d.name === name);
  if (!t) throw new VigilError(`'${field}': unknown tower '${name}' (known: ${MODALITIES.join(', ')})`, { field });
  return t;
}

/** The towers a config has, in MODALITIES order. */
export function towersOf(cfg: FusionNetConfig): TowerDef[] {
  return TOWERS.filter((t) => cfg.towers.includes(t.name));
}
