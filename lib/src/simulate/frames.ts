import type { Rng } from '../util/rng.js';
import type { SimKnobs } from './presets.js';
import type { ContentStore } from './content.js';
import { type Geometry, CH_VISUAL, topicLatent } from './world.js';

/** Scale of the content latent, scene variation, re-encode shift and per-frame noise. */
const LATENT = 0.7, SCENE = 0.5, SHIFT = 0.12, NOISE = 0.35;

/**
 * Content-level visual latent: base vector and scene vectors over the whole content timeline.
 * Drawn from the content's own rng, so every upload of the content sees the same scenes.
 */
export interface VisualLatent { base: Float32Array; sceneEnd: Float32Array; scenes: Float32Array; nScenes: number }

export function visualLatent(crng: Rng, g: Geometry, cs: ContentStore, cid: number, k: SimKnobs): VisualLatent {
  const d = g.frameDim;
  // A noise modality has no topic centre either: the topic says a little about look-alikes and the
  // late trend, which would leak label information.
  const base = topicLatent(crng, d, k.noiseModality === 'visual' ? null : g.frameTopic[cs.topic[cid]], LATENT);
  const dur = cs.durationS[cid];
  const maxScenes = Math.ceil(dur / 2) + 1;
  const sceneEnd = new Float32Array(maxScenes);
  let nScenes = 0, t = 0;
  while (t < dur) { t += 2 + crng.next() * 6; sceneEnd[nScenes++] = t; }
  const scenes = new Float32Array(nScenes * d);
  for (let i = 0; i < scenes.length; i++) scenes[i] = SCENE * crng.normal();
  return { base, sceneEnd, scenes, nScenes };
}

/**
 * Write one upload's frames (1 FPS over [off, off + nFrames) of content time) into `emb` starting at
 * frame `at`. Harm is localized: only frames inside the content's harm interval carry the category
 * direction (neighbours get half), so long videos dilute it. Hard negatives carry the shared
 * "violent look" direction, and the edgiest of them a little of the gore component too.
 * Faint-segment variant: only the interval's own frames, at the faint amplitude. Noise-visual
 * variant: no harm or look at all. The per-frame noise draws are the same in every variant.
 */
export function writeFrames(
  emb: Float32Array, ts: Float32Array, at: number, nFrames: number, off: number,
  lat: VisualLatent, urng: Rng, g: Geometry, k: SimKnobs, cs: ContentStore, cid: number,
): void {
  const d = g.frameDim;
  const shift = new Float32Array(d);
  for (let j = 0; j < d; j++) shift[j] = SHIFT * urng.normal();
  const cat = cs.cat[cid];
  const noise = k.noiseModality === 'visual';
  const faint = k.faintSegmentFrames > 0;
  const visualHarm = !noise && cat >= 0 && (cs.channels[cid] & CH_VISUAL) !== 0;
  const hs = cs.harmStart[cid], he = hs + cs.harmLen[cid];
  const harmAmp = visualHarm ? (faint ? k.faintHarm : k.visualHarm) * (0.5 + 0.7 * cs.intensity[cid]) : 0;
  const harmDir = visualHarm ? g.visualHarm[cat] : null;
  const near = faint ? 0 : 0.5;
  const hard = !noise && cs.hardNeg[cid] === 1;
  const e = cs.edginess[cid];
  const ls = cs.lookStart[cid], le = ls + cs.lookLen[cid];
  const lookAmp = hard ? 1.6 * (0.5 + e) : 0;
  const goreAmp = hard ? 0.8 * e * e * k.visualHarm : 0;
  let scene = 0;
  for (let f = 0; f < nFrames; f++) {
    const tau = off + f;
    while (scene < lat.nScenes - 1 && lat.sceneEnd[scene] <= tau) scene++;
    const o = (at + f) * d, so = scene * d;
    for (let j = 0; j < d; j++) emb[o + j] = lat.base[j] + lat.scenes[so + j] + shift[j] + NOISE * urng.normal();
    if (harmDir) {
      const w = tau >= hs && tau < he ? 1 : (tau >= hs - 1 && tau < he + 1 ? near : 0);
      if (w > 0) for (let j = 0; j < d; j++) emb[o + j] += w * harmAmp * harmDir[j];
    }
    if (hard && tau >= ls && tau < le) {
      for (let j = 0; j < d; j++) emb[o + j] += lookAmp * g.visualLook[j] + goreAmp * g.visualGore[j];
    }
    ts[at + f] = f;
  }
}
