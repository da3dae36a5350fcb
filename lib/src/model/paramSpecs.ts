import { towersOf } from './towers/registry.js';
import { getFusion } from './fusion/registry.js';
import { getPooling } from './pooling/registry.js';
import type { FusionNetConfig, ParamSpec } from './weights.js';

/**
 * Every tensor the configured network has, in a stable order (towers in MODALITIES order, then the
 * fusion head), as the components declare them. The trainer's initialisation, the weight checks and
 * the ONNX export's validation all read this one list. No TF.js here, so export/ and serving can use it.
 */
export function paramSpecs(cfg: FusionNetConfig): ParamSpec[] {
  getPooling(cfg.pooling);
  return [...towersOf(cfg).flatMap((t) => t.params(cfg)), ...getFusion(cfg.fusion).params(cfg)];
}
