import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers.js';
import { denseSpecs } from '../weights.js';
import type { PoolingDef } from './registry.js';

/** Score given to padding before the softmax, so it gets (numerically) zero weight. */
export const PAD_SCORE = -1e9;

/**
 * Gated attention multiple-instance pooling: e_t = (tanh(h·att_v) ⊙ sigmoid(h·att_u))·att_w, masked
 * softmax over t, pooled = Σ α_t h_t. Harm is localized in a few frames; attention lets those frames
 * dominate instead of being diluted by a long video, and α points at them (evidence timestamps).
 */
export const attentionPooling: PoolingDef = {
  name: 'attention',
  params: (prefix, hidden, attentionDim) => [
    ...denseSpecs(`${prefix}/att_v`, hidden, attentionDim),
    ...denseSpecs(`${prefix}/att_u`, hidden, attentionDim),
    ...denseSpecs(`${prefix}/att_w`, attentionDim, 1),
  ],
  pool(p, prefix, h, mask) {
    const gate = tf.mul(tf.tanh(dense(p, `${prefix}/att_v`, h)), tf.sigmoid(dense(p, `${prefix}/att_u`, h)));
    const e = tf.squeeze(dense(p, `${prefix}/att_w`, gate), [2]) as tf.Tensor2D;
    const masked = tf.add(tf.mul(e, mask), tf.mul(tf.sub(1, mask), PAD_SCORE));
    const alpha = tf.softmax(masked, 1) as tf.Tensor2D;
    return { pooled: tf.sum(tf.mul(h, tf.expandDims(alpha, 2)), 1) as tf.Tensor2D, weights: alpha };
  },
};
