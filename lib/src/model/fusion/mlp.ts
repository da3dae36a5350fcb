import type * as tfjs from '@tensorflow/tfjs';
import { denseSpecs, setWeight } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { FUSION_INPUTS, type FusionDef } from './registry.js';

/** z = relu(f·fusion/dense1)·fusion/out: lets modalities interact (harm visible only across two). */
export const mlpFusion: FusionDef = {
  name: 'mlp',
  params: (cfg) => [...denseSpecs('fusion/dense1', FUSION_INPUTS, cfg.fusionHidden), ...denseSpecs('fusion/out', cfg.fusionHidden, 1)],
  forward: ({ tf, dense }, f) => dense('fusion/out', tf.relu(dense('fusion/dense1', f))) as tfjs.Tensor2D,
  emit: (ctx, f) => ctx.dense(ctx.dense(f, 'fusion/dense1', true), 'fusion/out', false),
  passThrough(cfg, tensors, input) {
    if (cfg.fusionHidden < 2) throw new VigilError('an MLP fusion head passes a score through only with model.fusionHidden ≥ 2', { field: 'model.fusionHidden' });
    // x = relu(x) − relu(−x): two hidden units carry the input's two signs.
    setWeight(tensors, 'fusion/dense1/kernel', input, 0, 1);
    setWeight(tensors, 'fusion/dense1/kernel', input, 1, -1);
    setWeight(tensors, 'fusion/out/kernel', 0, 0, 1);
    setWeight(tensors, 'fusion/out/kernel', 1, 0, -1);
  },
};
