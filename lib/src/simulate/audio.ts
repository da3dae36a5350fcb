import type { Rng } from '../util/rng.js';
import type { SimKnobs } from './presets.js';
import type { ContentStore } from './content.js';
import { type Geometry, CH_AUDIO, CH_TEXT, topicLatent } from './world.js';

const LATENT = 0.7, SEGMENT = 0.5, NOISE = 0.35;
/** Most VAD segments kept per upload. */
export const MAX_SEGMENTS = 150;

/**
 * Content-level audio: the voice-activity segments over the whole content timeline (shared with
 * the transcript, whose words are spoken inside them) and their embedding latents.
 */
export interface AudioLatent { base: Float32Array; start: number[]; len: number[]; vecs: Float32Array }

export function audioLatent(crng: Rng, g: Geometry, cs: ContentStore, cid: number, k: SimKnobs): AudioLatent {
  const d = g.audioDim;
  const base = topicLatent(crng, d, k.noiseModality === 'audio' ? null : g.audioTopic[cs.topic[cid]], LATENT);
  const dur = cs.durationS[cid];
  const start: number[] = [], len: number[] = [];
  let t = crng.next() * 1.5;
  while (t < dur) {
    const l = Math.min(dur - t, 1.5 + crng.next() * 4.5);
    start.push(t); len.push(Math.max(0.3, l));
    t += l + 0.3 + crng.next() * 2.2;
  }
  if (start.length === 0) { start.push(0); len.push(dur); }
  // harmful sound or speech needs voice activity over the harmful interval (kept for a noise audio
  // modality too: the segments are where the transcript's words are spoken)
  if (cs.cat[cid] >= 0 && (cs.channels[cid] & (CH_AUDIO | CH_TEXT)) !== 0) {
    const hs = cs.harmStart[cid], he = hs + cs.harmLen[cid];
    let covered = false;
    for (let s = 0; s < start.length; s++) if (start[s] < he && start[s] + len[s] > hs) covered = true;
    if (!covered) {
      let pos = 0;
      while (pos < start.length && start[pos] < hs) pos++;
      start.splice(pos, 0, hs); len.splice(pos, 0, Math.max(1, he - hs));
    }
  }
  const vecs = new Float32Array(start.length * d);
  for (let i = 0; i < vecs.length; i++) vecs[i] = SEGMENT * crng.normal();
  return { base, start, len, vecs };
}

/** Indices of the latent's segments that overlap the upload window [off, off + dur). */
export function segmentsInWindow(lat: AudioLatent, off: number, dur: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < lat.start.length && out.length < MAX_SEGMENTS; s++) {
    if (lat.start[s] < off + dur && lat.start[s] + lat.len[s] > off) out.push(s);
  }
  return out;
}

/**
 * Write the upload's segment embeddings and start times. Harmful sound (audio channel) and harmful
 * speech (text channel, weaker) add their directions only on segments overlapping the harm
 * interval; allowed violent-looking content carries the shared "violent sound" direction.
 * Noise-audio variant: none of these directions, so the embeddings say nothing about the label.
 */
export function writeAudio(
  emb: Float32Array, ts: Float32Array, at: number, segs: number[], off: number,
  lat: AudioLatent, urng: Rng, g: Geometry, k: SimKnobs, cs: ContentStore, cid: number,
): void {
  const d = g.audioDim;
  const cat = cs.cat[cid];
  const noise = k.noiseModality === 'audio';
  const ch = cat >= 0 && !noise ? cs.channels[cid] : 0;
  const amp = cat >= 0 ? k.audioHarm * (0.5 + 0.7 * cs.intensity[cid]) : 0;
  const hs = cs.harmStart[cid], he = hs + cs.harmLen[cid];
  const hard = !noise && cs.hardNeg[cid] === 1;
  const ls = cs.lookStart[cid], le = ls + cs.lookLen[cid];
  const lookAmp = hard ? 1.2 * (0.5 + cs.edginess[cid]) : 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const o = (at + i) * d, so = s * d;
    for (let j = 0; j < d; j++) emb[o + j] = lat.base[j] + lat.vecs[so + j] + NOISE * urng.normal();
    const a = lat.start[s], b = a + lat.len[s];
    if (ch !== 0 && a < he && b > hs) {
      if (ch & CH_AUDIO) for (let j = 0; j < d; j++) emb[o + j] += amp * g.audioHarm[cat][j];
      if (ch & CH_TEXT) for (let j = 0; j < d; j++) emb[o + j] += 0.5 * amp * g.audioSpeech[j];
    }
    if (hard && a < le && b > ls) for (let j = 0; j < d; j++) emb[o + j] += lookAmp * g.audioLook[j];
    ts[at + i] = Math.max(0, a - off);
  }
}
