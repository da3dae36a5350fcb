import type * as tfjs from '@tensorflow/tfjs';
import type { Inputs } from '../layers.js';
import { denseSpecs, type FusionNetConfig } from '../weights.js';
import { getPooling } from '../pooling/registry.js';
import type { DimKey, TowerDef } from './registry.js';

interface SequenceSpec {
  name: 'visual' | 'audio';
  dimKey: DimKey;
  gate?: number;
  /** ONNX input names of the items and their mask. */
  graph: { items: string; mask: string };
  items: NonNullable<TowerDef['items']>;
  pick(x: Inputs): { seq: tfjs.Tensor3D; mask: tfjs.Tensor2D };
}

/**
 * A tower over a variable-length sequence: h = relu(x·embed) per item, pooled by the configured
 * pooling, then pooled·out. Visual and audio share this code under their own tensor prefixes.
 */
function sequenceTower(s: SequenceSpec): TowerDef {
  const { name } = s;
  return {
    name,
    dimKey: s.dimKey,
    ...(s.gate !== undefined ? { gate: s.gate } : {}),
    items: s.items,
    params: (cfg) => [
      ...denseSpecs(`${name}/embed`, cfg[s.dimKey], cfg.hidden),
      ...getPooling(cfg.pooling).params(name, cfg.hidden, cfg.attentionDim),
      ...denseSpecs(`${name}/out`, cfg.hidden, 1),
    ],
    graphInputs: (cfg: FusionNetConfig) => [
      { name: s.graph.items, shape: ['B', s.items.dim, cfg[s.dimKey]] },
      { name: s.graph.mask, shape: ['B', s.items.dim] },
    ],
    forward(t, cfg, x) {
      const { seq, mask } = s.pick(x);
      const h = t.tf.relu(t.dense(`${name}/embed`, seq, true)) as tfjs.Tensor3D;
      const { pooled, weights } = getPooling(cfg.pooling).pool(t, name, h, mask);
      return { logit: t.dense(`${name}/out`, pooled) as tfjs.Tensor2D, weights };
    },
    emit(ctx, cfg, [items, mask]) {
      const h = ctx.dense(items, `${name}/embed`, true); // [B,N,H]
      const { pooled, weights } = getPooling(cfg.pooling).emit(ctx, name, h, mask);
      return { logit: ctx.dense(pooled, `${name}/out`, false), weights };
    },
  };
}

export const visualTower = sequenceTower({
  name: 'visual', dimKey: 'frameDim', graph: { items: 'frames', mask: 'frame_mask' },
  items: { output: 'frameAttention', graphOutput: 'frame_attention', dim: 'T' },
  pick: (x) => ({ seq: x.frames, mask: x.frameMask }),
});
// avail column 2: a row without audio contributes no audio logit.
export const audioTower = sequenceTower({
  name: 'audio', dimKey: 'audioDim', gate: 2, graph: { items: 'audio', mask: 'audio_mask' },
  items: { output: 'audioAttention', graphOutput: 'audio_attention', dim: 'S' },
  pick: (x) => ({ seq: x.audio, mask: x.audioMask }),
});
