import type * as tf from '@tensorflow/tfjs';
import type { Params } from '../layers.js';
import type { ParamSpec } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { meanPooling } from './mean.js';
import { maxPooling } from './max.js';
import { attentionPooling } from './attention.js';

/**
 * Pooling over a sequence of item embeddings h [B,T,H] with mask [B,T] → pooled [B,H] and per-item
 * weights [B,T] (attention weights for `attention`, uniform over real items otherwise) that reason
 * codes use as evidence.
 */
export interface PoolingDef {
  name: string;
  params(prefix: string, hidden: number, attentionDim: number): ParamSpec[];
  pool(p: Params, prefix: string, h: tf.Tensor3D, mask: tf.Tensor2D): { pooled: tf.Tensor2D; weights: tf.Tensor2D };
}

export const POOLINGS: Record<string, PoolingDef> = {
  [meanPooling.name]: meanPooling,
  [maxPooling.name]: maxPooling,
  [attentionPooling.name]: attentionPooling,
};

export function getPooling(name: string, field = 'model.pooling'): PoolingDef {
  const p = POOLINGS[name];
  if (!p) throw new VigilError(`'${field}': unknown pooling '${name}' (known: ${Object.keys(POOLINGS).join(', ')})`, { field });
  return p;
}
