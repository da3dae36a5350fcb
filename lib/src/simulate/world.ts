import type { Rng } from '../util/rng.js';

/**
 * The fixed "world" of the simulator: regions, devices, languages, content topics, harm categories
 * and the embedding directions that carry harm. Region codes are ISO 3166 user-assigned codes
 * (XA..XN) so that no real country is implied to have a harm spike.
 */

export interface Region { code: string; share: number; harmMult: number; langs: [string, number][] }

export const REGIONS: Region[] = [
  { code: 'XA', share: 0.26, harmMult: 1, langs: [['en', 0.93], ['es', 0.07]] },
  { code: 'XB', share: 0.14, harmMult: 1, langs: [['hi', 0.38], ['en', 0.62]] },
  { code: 'XC', share: 0.1, harmMult: 1, langs: [['pt', 0.7], ['en', 0.3]] },
  { code: 'XD', share: 0.08, harmMult: 1, langs: [['id', 0.55], ['en', 0.45]] },
  { code: 'XE', share: 0.08, harmMult: 1, langs: [['es', 0.7], ['en', 0.3]] },
  { code: 'XF', share: 0.07, harmMult: 1, langs: [['en', 1]] },
  { code: 'XG', share: 0.06, harmMult: 1, langs: [['fr', 0.6], ['en', 0.4]] },
  { code: 'XH', share: 0.05, harmMult: 1, langs: [['en', 0.8], ['fr', 0.2]] },
  { code: 'XJ', share: 0.04, harmMult: 1, langs: [['ar', 0.7], ['en', 0.3]] },
  { code: 'XK', share: 0.04, harmMult: 1, langs: [['en', 0.9], ['es', 0.1]] },
  // the two spike regions
  { code: 'XM', share: 0.03, harmMult: 6, langs: [['ar', 0.55], ['en', 0.45]] },
  { code: 'XN', share: 0.03, harmMult: 5.5, langs: [['id', 0.5], ['en', 0.5]] },
  { code: 'XL', share: 0.02, harmMult: 1, langs: [['en', 1]] },
];
export const SPIKE_REGIONS = ['XM', 'XN'];

export const DEVICES = ['android', 'ios', 'web', 'android_emulator'];
export const DEVICE_SHARE = [0.62, 0.29, 0.07, 0.02];
export const BAD_DEVICE_SHARE = [0.5, 0.15, 0.15, 0.2];

export const LANGUAGES = ['en', 'es', 'pt', 'hi', 'id', 'fr', 'ar'];
/** Mean ASR confidence per language: the recogniser is best on English. */
export const LANG_ASR_MEAN = [0.9, 0.8, 0.78, 0.7, 0.72, 0.79, 0.68];

/** Content topics. `violentLook` topics are where hard negatives come from. */
export interface Topic { name: string; share: number; lateShare: number; violentLook: boolean }
export const TOPICS: Topic[] = [
  { name: 'dance', share: 0.14, lateShare: 0.12, violentLook: false },
  { name: 'comedy', share: 0.13, lateShare: 0.12, violentLook: false },
  { name: 'food', share: 0.09, lateShare: 0.08, violentLook: false },
  { name: 'pets', share: 0.09, lateShare: 0.08, violentLook: false },
  { name: 'gaming', share: 0.12, lateShare: 0.11, violentLook: true },
  { name: 'news', share: 0.08, lateShare: 0.08, violentLook: true },
  { name: 'sports', share: 0.1, lateShare: 0.09, violentLook: true },
  { name: 'music', share: 0.11, lateShare: 0.1, violentLook: false },
  { name: 'vlog', share: 0.09, lateShare: 0.08, violentLook: false },
  { name: 'beauty', share: 0.05, lateShare: 0.05, violentLook: false },
  // a trend that only takes off late: covariate drift for the monitor
  { name: 'trend_challenge', share: 0.0, lateShare: 0.09, violentLook: false },
];

export const CAT_NONE = -1;
/** Harm categories; the last one is the drift category (only in the most recent weeks). */
export const CATEGORIES = ['csam', 'graphic_violence', 'self_harm', 'extremism', 'hate_symbol'];
export const DRIFT_CATEGORY = 4;
/** Mix of new harmful content before drift. */
export const CATEGORY_SHARE = [0.1, 0.37, 0.2, 0.33, 0];
/**
 * Which modality carries each category's signal (independent draws per content item). Some harm
 * shows only in speech (harmless image + harmful speech), some only in the image.
 */
export const CHANNEL_PROB: [number, number, number][] = [
  // visual, audio, text
  [0.95, 0.1, 0.15],
  [0.8, 0.35, 0.3],
  [0.4, 0.35, 0.75],
  [0.4, 0.5, 0.75],
  [0.85, 0.1, 0.45],
];
export const CH_VISUAL = 1, CH_AUDIO = 2, CH_TEXT = 4;

export function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const k = 1 / Math.sqrt(s || 1);
  for (let i = 0; i < v.length; i++) v[i] *= k;
  return v;
}

function randVec(rng: Rng, d: number, scale = 1): Float32Array {
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = rng.normal() * scale;
  return v;
}

function mix(a: Float32Array, wa: number, b: Float32Array, wb: number): Float32Array {
  const v = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) v[i] = wa * a[i] + wb * b[i];
  return unit(v);
}

/** Embedding geometry: topic centres and the directions that harm (and look-alike content) add. */
export interface Geometry {
  frameDim: number;
  audioDim: number;
  frameTopic: Float32Array[];
  audioTopic: Float32Array[];
  /** Per category, the visual harm direction (unit). */
  visualHarm: Float32Array[];
  /** Per category, the audio harm direction (unit). */
  audioHarm: Float32Array[];
  /** Audio direction of harmful speech (any category whose text channel is on). */
  audioSpeech: Float32Array;
  /** "Violent-looking" visual/audio direction shared by graphic violence and allowed hard negatives. */
  visualLook: Float32Array;
  audioLook: Float32Array;
  /** The gore component that separates real graphic violence from look-alikes. */
  visualGore: Float32Array;
}

/**
 * A content item's base latent in one modality: its topic centre (null for a noise modality, whose
 * topic would leak label information) plus Gaussian spread. Draws exactly `d` normals from `crng`.
 */
export function topicLatent(crng: Rng, d: number, centre: Float32Array | null, spread: number): Float32Array {
  const base = new Float32Array(d);
  for (let j = 0; j < d; j++) base[j] = (centre ? centre[j] : 0) + spread * crng.normal();
  return base;
}

export function makeGeometry(rng: Rng, frameDim: number, audioDim: number): Geometry {
  const frameTopic = TOPICS.map(() => randVec(rng, frameDim, 0.8));
  const audioTopic = TOPICS.map(() => randVec(rng, audioDim, 1));
  const look = unit(randVec(rng, frameDim));
  const gore = unit(randVec(rng, frameDim));
  const extrem = unit(randVec(rng, frameDim));
  const fresh = unit(randVec(rng, frameDim));
  const visualHarm = [
    unit(randVec(rng, frameDim)),
    mix(look, 0.6, gore, 0.8),
    unit(randVec(rng, frameDim)),
    extrem,
    // the drift category shares part of the extremism direction: partly, not fully, learnable
    mix(extrem, 0.5, fresh, 0.87),
  ];
  const aLook = unit(randVec(rng, audioDim));
  const aExt = unit(randVec(rng, audioDim));
  const audioHarm = [
    unit(randVec(rng, audioDim)),
    mix(aLook, 0.6, unit(randVec(rng, audioDim)), 0.8),
    unit(randVec(rng, audioDim)),
    aExt,
    mix(aExt, 0.6, unit(randVec(rng, audioDim)), 0.8),
  ];
  return {
    frameDim, audioDim, frameTopic, audioTopic, visualHarm, audioHarm,
    audioSpeech: unit(randVec(rng, audioDim)), visualLook: look, audioLook: aLook, visualGore: gore,
  };
}

/** Sample an index from a discrete distribution (weights need not sum to 1). */
export function pick(rng: Rng, weights: ArrayLike<number>): number {
  let tot = 0;
  for (let i = 0; i < weights.length; i++) tot += weights[i];
  let u = rng.next() * tot;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}
