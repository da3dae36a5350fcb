import type * as tfjs from '@tensorflow/tfjs';
import type { PoolingDef } from './registry.js';
import { emitUniformWeights, uniformWeights } from './uniform.js';

/** max over t of h·mask — h >= 0 after relu, so a padded item (0) can never beat a real one. */
export const maxPooling: PoolingDef = {
  name: 'max',
  params: () => [],
  pool(t, _prefix, h, mask) {
    const { tf } = t;
    return { pooled: tf.max(tf.mul(h, tf.expandDims(mask, 2)), 1) as tfjs.Tensor2D, weights: uniformWeights(t, mask) };
  },
  emit(ctx, _prefix, h, mask) {
    const { g } = ctx;
    const weights = emitUniformWeights(ctx, mask);
    // ReduceMax takes its axes as an attribute below opset 18 (export/onnxBuilder.ts OPSET).
    const pooled = g.op('ReduceMax', [g.op('Mul', [h, g.op('Unsqueeze', [mask, ctx.axis2()])])], { axes: [1], keepdims: 0 });
    return { pooled, weights };
  },
};
