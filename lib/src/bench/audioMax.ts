import type { VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { fillSequence, paddedLength, type SequenceSource } from '../features/sequence.js';

/**
 * Max-pooled audio segments for the peers' export: the per-dimension maximum over a video's
 * (standardised, capped) audio segments, 0 for a video without audio — the audio counterpart of the
 * `frame_max_*` columns of `pooledFeatures`, so the tree and linear peers see mean *and* max pooling
 * of both sequence modalities. Built with the fusion model's own sequence filling (same scaler, same
 * cap and kept segments), so it is the same input the audio tower reads.
 */
export function audioMaxNames(fitted: FittedPreprocessor): string[] {
  return Array.from({ length: fitted.dims.audio }, (_, j) => `audio_max_${j}`);
}

export function audioMaxPooled(fitted: FittedPreprocessor, table: VideoTable, rows: ArrayLike<number>): Float32Array {
  const Da = fitted.dims.audio, B = rows.length;
  const out = new Float32Array(B * Da);
  if (table.audioOffsets[table.n] === 0 || B === 0) return out;
  const src: SequenceSource = { dim: table.audioDim, offsets: table.audioOffsets, emb: table.audioEmb };
  const cap = fitted.maxSequence;
  const S = paddedLength(src, rows, cap, 1);
  const values = new Float32Array(B * S * Da), mask = new Float32Array(B * S);
  fillSequence(fitted.audio, src, rows, S, cap, values, mask);
  for (let b = 0; b < B; b++) {
    let any = false;
    const o = b * Da;
    for (let s = 0; s < S; s++) {
      if (mask[b * S + s] === 0) continue;
      const base = (b * S + s) * Da;
      for (let j = 0; j < Da; j++) if (!any || values[base + j] > out[o + j]) out[o + j] = values[base + j];
      any = true;
    }
  }
  return out;
}
