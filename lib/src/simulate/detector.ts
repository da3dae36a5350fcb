import type { VideoTable } from '../data/table.js';
import type { ContentStore } from './content.js';
import type { SimKnobs } from './presets.js';
import { type Geometry, CH_VISUAL } from './world.js';

/**
 * A frame-level reference detector for the faint-segment variant: it knows what no model is told —
 * the harm directions of every category and each video's topic centre — and scores a video by
 *
 *   max over frames t and categories c of  ⟨x_t − μ_topic, h_c⟩
 *
 * on the stored (quantised) frame embeddings. It does not know the content's own latent, scenes or
 * noise, so it is a strong reference rather than a ceiling; the gap between it and a learned visual
 * tower measures how much of the findable frame signal the tower leaves on the table. It only looks
 * at frames: harm carried by audio or speech alone is invisible to it, as it is to the visual tower.
 */
export function frameDetectorScores(table: VideoTable, geom: Geometry, topicOfRow: ArrayLike<number>): Float64Array {
  const d = table.frameDim, nCat = geom.visualHarm.length;
  // ⟨μ_topic, h_c⟩ once per topic and category
  const centre = geom.frameTopic.map((mu) => geom.visualHarm.map((h) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += mu[j] * h[j];
    return s;
  }));
  const out = new Float64Array(table.n);
  for (let r = 0; r < table.n; r++) {
    const m = centre[topicOfRow[r]];
    let best = -Infinity;
    for (let t = table.frameOffsets[r]; t < table.frameOffsets[r + 1]; t++) {
      const o = t * d;
      for (let c = 0; c < nCat; c++) {
        const h = geom.visualHarm[c];
        let s = 0;
        for (let j = 0; j < d; j++) s += table.frameEmb[o + j] * h[j];
        if (s - m[c] > best) best = s - m[c];
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * How many of an upload's frames (1 FPS over content time [off, off + nFrames)) lie inside its
 * content's harm interval and carry the visual harm direction at full amplitude. In the faint-segment
 * variant these are exactly the frames that carry any visual harm (there are no half-weight
 * neighbours); 0 for benign content, harm without a visual channel, or a noise visual modality.
 */
export function visualHarmFrames(cs: ContentStore, cid: number, off: number, nFrames: number, k: SimKnobs): number {
  if (cs.cat[cid] < 0 || (cs.channels[cid] & CH_VISUAL) === 0 || k.noiseModality === 'visual') return 0;
  const hs = cs.harmStart[cid], he = hs + cs.harmLen[cid];
  let n = 0;
  for (let f = 0; f < nFrames; f++) if (off + f >= hs && off + f < he) n++;
  return n;
}
