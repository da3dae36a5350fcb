import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers.js';
import { denseSpecs } from '../weights.js';
import type { TowerDef } from './registry.js';

/** relu(meta·meta/dense1)·meta/out. */
export const metaTower: TowerDef = {
  name: 'meta',
  params: (cfg) => [...denseSpecs('meta/dense1', cfg.metaDim, cfg.hidden), ...denseSpecs('meta/out', cfg.hidden, 1)],
  forward: (p, _cfg, x) => ({ logit: dense(p, 'meta/out', tf.relu(dense(p, 'meta/dense1', x.meta, true))) as tf.Tensor2D }),
};
