import type * as tfjs from '@tensorflow/tfjs';
import { denseSpecs } from '../weights.js';
import type { TowerDef } from './registry.js';

/** relu(meta·meta/dense1)·meta/out. */
export const metaTower: TowerDef = {
  name: 'meta',
  dimKey: 'metaDim',
  params: (cfg) => [...denseSpecs('meta/dense1', cfg.metaDim, cfg.hidden), ...denseSpecs('meta/out', cfg.hidden, 1)],
  graphInputs: (cfg) => [{ name: 'meta', shape: ['B', cfg.metaDim] }],
  forward: ({ tf, dense }, _cfg, x) => ({ logit: dense('meta/out', tf.relu(dense('meta/dense1', x.meta, true))) as tfjs.Tensor2D }),
  emit: (ctx, _cfg, [meta]) => ({ logit: ctx.dense(ctx.dense(meta, 'meta/dense1', true), 'meta/out', false) }),
};
