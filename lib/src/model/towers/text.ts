import type * as tfjs from '@tensorflow/tfjs';
import { denseSpecs } from '../weights.js';
import type { TowerDef } from './registry.js';

/** relu(text·text/dense1)·text/out over the TF-IDF + ASR-confidence + language vector. */
export const textTower: TowerDef = {
  name: 'text',
  dimKey: 'textDim',
  // avail column 3: a row without a transcript contributes no text logit.
  gate: 3,
  params: (cfg) => [...denseSpecs('text/dense1', cfg.textDim, cfg.hidden), ...denseSpecs('text/out', cfg.hidden, 1)],
  graphInputs: (cfg) => [{ name: 'text', shape: ['B', cfg.textDim] }],
  forward: ({ tf, dense }, _cfg, x) => ({ logit: dense('text/out', tf.relu(dense('text/dense1', x.text, true))) as tfjs.Tensor2D }),
  emit: (ctx, _cfg, [text]) => ({ logit: ctx.dense(ctx.dense(text, 'text/dense1', true), 'text/out', false) }),
};
