import type { Rng } from '../util/rng.js';
import type { SimKnobs } from './presets.js';
import {
  TOPICS, REGIONS, LANGUAGES, CATEGORY_SHARE, CHANNEL_PROB, DRIFT_CATEGORY,
  CAT_NONE, CH_VISUAL, CH_AUDIO, CH_TEXT, pick,
} from './world.js';
import { oracleQ } from './labels.js';

/**
 * Content items: what a video *is*, independent of who uploads it when. A re-upload points at the
 * same content item, so its embeddings come from the same latent (see frames/audio/transcript,
 * which derive the latent from the content id) plus fresh per-upload noise.
 */
export interface ContentStore {
  n: number;
  topic: Uint8Array;
  lang: Uint8Array;
  durationS: Float32Array;
  hasAudio: Uint8Array;
  hasSpeech: Uint8Array;
  /** Harm category index, CAT_NONE (-1) when benign. */
  cat: Int8Array;
  /** Harm intensity in (0, 1]: low = borderline (weaker signal, more rater disagreement). */
  intensity: Float32Array;
  /** Bit set of CH_VISUAL | CH_AUDIO | CH_TEXT: which modalities carry the harm. */
  channels: Uint8Array;
  /** Content-time interval [harmStart, harmStart + harmLen) where harm is shown/said. */
  harmStart: Float32Array;
  harmLen: Float32Array;
  /** Allowed content that looks violent (news, gaming, sports). */
  hardNeg: Uint8Array;
  /** How close a hard negative is to the line (0..1): drives look strength and rater disagreement. */
  edginess: Float32Array;
  lookStart: Float32Array;
  lookLen: Float32Array;
  /** ASR clarity offset of the recording (added to the language's mean confidence). */
  clarity: Float32Array;
  /** P(label = 1) for any upload of this content. */
  q: Float64Array;
  /** Virtual upload index of the first upload of this content. */
  firstUpload: Int32Array;
}

export function makeContentStore(capacity: number): ContentStore {
  return {
    n: 0,
    topic: new Uint8Array(capacity), lang: new Uint8Array(capacity), durationS: new Float32Array(capacity),
    hasAudio: new Uint8Array(capacity), hasSpeech: new Uint8Array(capacity), cat: new Int8Array(capacity),
    intensity: new Float32Array(capacity), channels: new Uint8Array(capacity),
    harmStart: new Float32Array(capacity), harmLen: new Float32Array(capacity),
    hardNeg: new Uint8Array(capacity), edginess: new Float32Array(capacity),
    lookStart: new Float32Array(capacity), lookLen: new Float32Array(capacity),
    clarity: new Float32Array(capacity), q: new Float64Array(capacity), firstUpload: new Int32Array(capacity),
  };
}

const EARLY_TOPIC = TOPICS.map((t) => t.share);
const LATE_TOPIC = TOPICS.map((t) => t.lateShare);
const VIOLENT_TOPIC_SHARE = TOPICS.reduce((s, t) => s + (t.violentLook ? t.share : 0), 0);

/** Short-form durations with a long tail up to 10 minutes (1 FPS → up to 600 frames). */
function drawDuration(rng: Rng): number {
  const long = rng.next() < 0.045;
  const d = long ? Math.exp(Math.log(75) + 1.0 * rng.normal()) : Math.exp(Math.log(10.5) + 0.72 * rng.normal());
  return Math.min(600, Math.max(1, Math.round(d)));
}

/** Harm category mix for new harmful content in week `week`: the drift category ramps up late. */
export function categoryWeights(week: number, weeks: number, driftWeeks: number, driftShare: number): number[] {
  const w = CATEGORY_SHARE.slice();
  const first = weeks - driftWeeks;
  if (week >= first) {
    const f = driftShare * ((week - first + 1) / driftWeeks);
    for (let c = 0; c < w.length; c++) w[c] *= 1 - f;
    w[DRIFT_CATEGORY] = f;
  }
  return w;
}

export interface NewContentContext {
  region: number;
  harmful: boolean;
  catWeights: number[];
  /** Fraction of the window elapsed (0..1): topic mix drifts towards the late trend. */
  timeFrac: number;
  firstUpload: number;
}

/** Draw a new content item into the store; returns its id. */
export function newContent(store: ContentStore, rng: Rng, k: SimKnobs, ctx: NewContentContext): number {
  const id = store.n++;
  const tw = EARLY_TOPIC.map((e, i) => e * (1 - ctx.timeFrac) + LATE_TOPIC[i] * ctx.timeFrac);
  const topic = pick(rng, tw);
  store.topic[id] = topic;
  const langs = REGIONS[ctx.region].langs;
  store.lang[id] = LANGUAGES.indexOf(langs[pick(rng, langs.map((l) => l[1]))][0]);
  const dur = drawDuration(rng);
  store.durationS[id] = dur;
  const hasAudio = rng.next() >= k.noAudioRate;
  const hasSpeech = hasAudio && rng.next() < k.speechGivenAudio;
  store.hasAudio[id] = hasAudio ? 1 : 0;
  store.hasSpeech[id] = hasSpeech ? 1 : 0;
  store.clarity[id] = 0.06 * rng.normal();
  store.firstUpload[id] = ctx.firstUpload;
  store.cat[id] = CAT_NONE;
  if (ctx.harmful) {
    const cat = pick(rng, ctx.catWeights);
    store.cat[id] = cat;
    const s = Math.pow(rng.next(), 0.35);
    store.intensity[id] = Math.max(0.02, s);
    const [pv, pa, pt] = CHANNEL_PROB[cat];
    let ch = 0;
    if (rng.next() < pv) ch |= CH_VISUAL;
    if (hasAudio && rng.next() < pa) ch |= CH_AUDIO;
    if (hasSpeech && rng.next() < pt) ch |= CH_TEXT;
    if (ch === 0) ch = CH_VISUAL;
    store.channels[id] = ch;
    // localized: a short interval carries the harm, wherever it falls in the video (one draw either
    // way, so the faint-segment variant keeps the rest of the stream aligned with the default world)
    const u = rng.next();
    const len = Math.min(dur, k.faintSegmentFrames > 0 ? 1 + Math.floor(u * k.faintSegmentFrames) : 1 + Math.min(9, Math.floor(-Math.log(1 - u) * 2.5)));
    store.harmLen[id] = len;
    store.harmStart[id] = Math.floor(rng.next() * (dur - len + 1));
  } else if (TOPICS[topic].violentLook && rng.next() < k.hardNegativeRate / VIOLENT_TOPIC_SHARE) {
    store.hardNeg[id] = 1;
    store.edginess[id] = rng.next();
    const u = rng.next();
    // the faint-segment variant's look-alikes are as brief as its harm
    const len = Math.min(dur, k.faintSegmentFrames > 0 ? 1 + Math.floor(u * k.faintSegmentFrames) : 2 + Math.floor(-Math.log(1 - u) * 5));
    store.lookLen[id] = len;
    store.lookStart[id] = Math.floor(rng.next() * (dur - len + 1));
  }
  store.q[id] = oracleQ(k, store.cat[id], store.intensity[id], store.hardNeg[id] === 1, store.edginess[id]);
  return id;
}

