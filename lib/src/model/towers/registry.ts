import type * as tf from '@tensorflow/tfjs';
import type { Inputs, Params } from '../layers.js';
import type { FusionNetConfig, ParamSpec, TowerName } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { metaTower } from './meta.js';
import { visualTower, audioTower } from './sequence.js';
import { textTower } from './text.js';

/** A per-modality tower: produces one logit per example (and item weights for sequence towers). */
export interface TowerDef {
  name: TowerName;
  params(cfg: FusionNetConfig): ParamSpec[];
  forward(p: Params, cfg: FusionNetConfig, x: Inputs): { logit: tf.Tensor2D; weights?: tf.Tensor2D };
}

export const TOWERS: Record<string, TowerDef> = {
  [metaTower.name]: metaTower,
  [visualTower.name]: visualTower,
  [audioTower.name]: audioTower,
  [textTower.name]: textTower,
};

export function getTower(name: string, field = 'model.towers'): TowerDef {
  const t = TOWERS[name];
  if (!t) throw new VigilError(`'${field}': unknown tower '${name}' (known: ${Object.keys(TOWERS).join(', ')})`, { field });
  return t;
}
