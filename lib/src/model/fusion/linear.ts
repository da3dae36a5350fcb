import type * as tfjs from '@tensorflow/tfjs';
import { denseSpecs, setWeight } from '../weights.js';
import { FUSION_INPUTS, type FusionDef } from './registry.js';

/** z = f·fusion/out: a learned weighted sum of the modality logits plus availability offsets. */
export const linearFusion: FusionDef = {
  name: 'linear',
  params: () => denseSpecs('fusion/out', FUSION_INPUTS, 1),
  forward: ({ dense }, f) => dense('fusion/out', f) as tfjs.Tensor2D,
  emit: (ctx, f) => ctx.dense(f, 'fusion/out', false),
  passThrough: (_cfg, tensors, input) => setWeight(tensors, 'fusion/out/kernel', input, 0, 1),
};
