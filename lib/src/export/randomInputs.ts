import type { FusionInputs, FusionWeights } from './contract.js';
import type { Rng } from '../util/rng.js';

/** Per-row shape of a random batch: real frames, real audio segments (0 = no audio), text present. */
export interface RandomRowSpec { frames: number; segments: number; text: boolean }

/**
 * A padded random batch in the preprocessed layout (standard-normal embeddings, masks from the row
 * specs, avail from what is present): drives graph-vs-reference tests and latency measurements.
 */
export function randomFusionInputs(cfg: FusionWeights['config'], rows: RandomRowSpec[], rng: Rng): FusionInputs {
  const B = rows.length;
  const T = Math.max(1, ...rows.map((r) => r.frames));
  const S = Math.max(1, ...rows.map((r) => r.segments));
  const x: FusionInputs = {
    B, T, S,
    meta: new Float32Array(B * cfg.metaDim), frames: new Float32Array(B * T * cfg.frameDim),
    frameMask: new Float32Array(B * T), audio: new Float32Array(B * S * cfg.audioDim),
    audioMask: new Float32Array(B * S), text: new Float32Array(B * cfg.textDim), avail: new Float32Array(B * 4),
  };
  for (let b = 0; b < B; b++) {
    const r = rows[b];
    for (let j = 0; j < cfg.metaDim; j++) x.meta[b * cfg.metaDim + j] = rng.normal();
    for (let t = 0; t < r.frames; t++) {
      x.frameMask[b * T + t] = 1;
      for (let j = 0; j < cfg.frameDim; j++) x.frames[(b * T + t) * cfg.frameDim + j] = rng.normal();
    }
    for (let t = 0; t < r.segments; t++) {
      x.audioMask[b * S + t] = 1;
      for (let j = 0; j < cfg.audioDim; j++) x.audio[(b * S + t) * cfg.audioDim + j] = rng.normal();
    }
    if (r.text) {
      let ss = 0;
      for (let j = 0; j < cfg.textDim; j++) { const v = rng.next() < 0.1 ? rng.next() : 0; x.text[b * cfg.textDim + j] = v; ss += v * v; }
      const n = Math.sqrt(ss) || 1;
      for (let j = 0; j < cfg.textDim; j++) x.text[b * cfg.textDim + j] /= n;
    }
    x.avail.set([1, 1, r.segments > 0 ? 1 : 0, r.text ? 1 : 0], b * 4);
  }
  return x;
}
