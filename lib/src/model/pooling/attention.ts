import type * as tfjs from '@tensorflow/tfjs';
import { denseSpecs } from '../weights.js';
import type { PoolingDef } from './registry.js';
import { emitWeightedSum } from './uniform.js';

/**
 * Score given to padding before the softmax, so it gets (numerically) zero weight. The ONNX graph
 * and the test oracle use this same value.
 */
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
  pool({ tf, dense }, prefix, h, mask) {
    const gate = tf.mul(tf.tanh(dense(`${prefix}/att_v`, h)), tf.sigmoid(dense(`${prefix}/att_u`, h)));
    const e = tf.squeeze(dense(`${prefix}/att_w`, gate), [2]) as tfjs.Tensor2D;
    const masked = tf.add(tf.mul(e, mask), tf.mul(tf.sub(1, mask), PAD_SCORE));
    const alpha = tf.softmax(masked, 1) as tfjs.Tensor2D;
    return { pooled: tf.sum(tf.mul(h, tf.expandDims(alpha, 2)), 1) as tfjs.Tensor2D, weights: alpha };
  },
  emit(ctx, prefix, h, mask) {
    const { g } = ctx;
    const v = g.op('Tanh', [ctx.dense(h, `${prefix}/att_v`, false)]);
    const u = g.op('Sigmoid', [ctx.dense(h, `${prefix}/att_u`, false)]);
    const e = g.op('Squeeze', [ctx.dense(g.op('Mul', [v, u]), `${prefix}/att_w`, false), ctx.axis2()]); // [B,N]
    // e·mask − (1−mask)·1e9: padding gets the pad score, real items keep e exactly.
    const bigNeg = () => ctx.shared('mask_logit', () => g.scalar('mask_logit', -PAD_SCORE));
    const masked = g.op('Sub', [g.op('Mul', [e, mask]), g.op('Mul', [g.op('Sub', [ctx.one(), mask]), bigNeg()])]);
    // With no real item (no audio) every score is the pad score and the weights come out uniform
    // over padding, as in TF.js; the tower's logit is then gated off by availability.
    const weights = g.op('Softmax', [masked], { axis: 1 });
    return { pooled: emitWeightedSum(ctx, h, weights), weights };
  },
};
