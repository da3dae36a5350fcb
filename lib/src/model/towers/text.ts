import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers.js';
import { denseSpecs } from '../weights.js';
import type { TowerDef } from './registry.js';

/** relu(text·text/dense1)·text/out over the TF-IDF + ASR-confidence + language vector. */
export const textTower: TowerDef = {
  name: 'text',
  params: (cfg) => [...denseSpecs('text/dense1', cfg.textDim, cfg.hidden), ...denseSpecs('text/out', cfg.hidden, 1)],
  forward: (p, _cfg, x) => ({ logit: dense(p, 'text/out', tf.relu(dense(p, 'text/dense1', x.text, true))) as tf.Tensor2D }),
};
