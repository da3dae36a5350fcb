import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers.js';
import { denseSpecs } from '../weights.js';
import { FUSION_INPUTS, type FusionDef } from './registry.js';

/** z = relu(f·fusion/dense1)·fusion/out: lets modalities interact (harm visible only across two). */
export const mlpFusion: FusionDef = {
  name: 'mlp',
  params: (cfg) => [...denseSpecs('fusion/dense1', FUSION_INPUTS, cfg.fusionHidden), ...denseSpecs('fusion/out', cfg.fusionHidden, 1)],
  forward: (p, f) => dense(p, 'fusion/out', tf.relu(dense(p, 'fusion/dense1', f))) as tf.Tensor2D,
};
