import { dense } from '../layers.js';
import { denseSpecs } from '../weights.js';
import { FUSION_INPUTS, type FusionDef } from './registry.js';
import type * as tf from '@tensorflow/tfjs';

/** z = f·fusion/out: a learned weighted sum of the modality logits plus availability offsets. */
export const linearFusion: FusionDef = {
  name: 'linear',
  params: () => denseSpecs('fusion/out', FUSION_INPUTS, 1),
  forward: (p, f) => dense(p, 'fusion/out', f) as tf.Tensor2D,
};
