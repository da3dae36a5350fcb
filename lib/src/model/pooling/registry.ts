import type * as tfjs from '@tensorflow/tfjs';
import type { EmitContext, TfContext } from '../component.js';
import type { ParamSpec } from '../weights.js';
import { VigilError } from '../../util/errors.js';
import { meanPooling } from './mean.js';
import { maxPooling } from './max.js';
import { attentionPooling } from './attention.js';

/**
 * Pooling over a sequence of item embeddings h [B,T,H] with mask [B,T] → pooled [B,H] and per-item
 * weights [B,T] (attention weights for `attention`, uniform over real items otherwise) that reason
 * codes use as evidence. One module per pooling holds its tensors, its TF.js forward and its ONNX
 * nodes; the trainer, the weight validator and the exporter all come through here.
 */
export interface PoolingDef {
  name: string;
  /** The pooling's own tensors under the tower's prefix (`visual`, `audio`). */
  params(prefix: string, hidden: number, attentionDim: number): ParamSpec[];
  pool(t: TfContext, prefix: string, h: tfjs.Tensor3D, mask: tfjs.Tensor2D): { pooled: tfjs.Tensor2D; weights: tfjs.Tensor2D };
  /** The same computation as ONNX nodes: h [B,N,H] and mask [B,N] are value names. */
  emit(ctx: EmitContext, prefix: string, h: string, mask: string): { pooled: string; weights: string };
}

const POOLINGS = new Map<string, PoolingDef>();

/** Make a pooling available under its name (model.pooling, weights' config.pooling). */
export function registerPooling(def: PoolingDef): void {
  if (POOLINGS.has(def.name)) throw new VigilError(`pooling '${def.name}' is already registered`, { field: 'model.pooling' });
  POOLINGS.set(def.name, def);
}

registerPooling(meanPooling);
registerPooling(maxPooling);
registerPooling(attentionPooling);

export function poolingNames(): string[] { return [...POOLINGS.keys()]; }

export function getPooling(name: string, field = 'model.pooling'): PoolingDef {
  const p = POOLINGS.get(name);
  if (!p) throw new VigilError(`'${field}': unknown pooling '${name}' (known: ${poolingNames().join(', ')})`, { field });
  return p;
}
