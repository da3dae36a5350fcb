import * as tf from '@tensorflow/tfjs';
import { dense, type Inputs } from '../layers.js';
import { denseSpecs, type FusionNetConfig } from '../weights.js';
import { getPooling } from '../pooling/registry.js';
import type { TowerDef } from './registry.js';

/**
 * A tower over a variable-length sequence: h = relu(x·embed) per item, pooled by the configured
 * pooling, then pooled·out. Visual and audio share this code under their own tensor prefixes.
 */
function sequenceTower(name: 'visual' | 'audio', inDim: (c: FusionNetConfig) => number,
  pick: (x: Inputs) => { seq: tf.Tensor3D; mask: tf.Tensor2D }): TowerDef {
  return {
    name,
    params: (cfg) => [
      ...denseSpecs(`${name}/embed`, inDim(cfg), cfg.hidden),
      ...getPooling(cfg.pooling).params(name, cfg.hidden, cfg.attentionDim),
      ...denseSpecs(`${name}/out`, cfg.hidden, 1),
    ],
    forward(p, cfg, x) {
      const { seq, mask } = pick(x);
      const h = tf.relu(dense(p, `${name}/embed`, seq, true)) as tf.Tensor3D;
      const { pooled, weights } = getPooling(cfg.pooling).pool(p, name, h, mask);
      return { logit: dense(p, `${name}/out`, pooled) as tf.Tensor2D, weights };
    },
  };
}

export const visualTower = sequenceTower('visual', (c) => c.frameDim, (x) => ({ seq: x.frames, mask: x.frameMask }));
export const audioTower = sequenceTower('audio', (c) => c.audioDim, (x) => ({ seq: x.audio, mask: x.audioMask }));
