import type * as tfjs from '@tensorflow/tfjs';
import type { EmitContext, TfContext } from '../component.js';

/** mask / max(Σ mask, 1): uniform weights over real items, all 0 when there are none. */
export function uniformWeights({ tf }: TfContext, mask: tfjs.Tensor2D): tfjs.Tensor2D {
  return tf.div(mask, tf.maximum(tf.sum(mask, 1, true), 1)) as tfjs.Tensor2D;
}

/** The same weights in the ONNX graph ([B,N]). */
export function emitUniformWeights(ctx: EmitContext, mask: string): string {
  const { g } = ctx;
  return g.op('Div', [mask, g.op('Max', [g.op('ReduceSum', [mask, ctx.axis1()], { keepdims: 1 }), ctx.one()])]);
}

/** Σ_t w_t·h_t over items in the ONNX graph: h [B,N,H], w [B,N] → [B,H]. */
export function emitWeightedSum(ctx: EmitContext, h: string, w: string): string {
  const { g } = ctx;
  return g.op('ReduceSum', [g.op('Mul', [h, g.op('Unsqueeze', [w, ctx.axis2()])]), ctx.axis1()], { keepdims: 0 });
}
