import { createRng, type Rng } from '../util/rng.js';
import { VigilError } from '../util/errors.js';
import { progress } from '../util/progress.js';
import { MS_PER_WEEK, type VideoTable, type TruthTable } from '../data/table.js';
import { F32Builder } from '../data/columns.js';
import { type SimPreset, type SimKnobs, DEFAULT_KNOBS, SIM_START_MS } from './presets.js';
import { makeCreators, type Creators } from './creators.js';
import { simulateStream, type UploadStream } from './timeline.js';
import { simulateRaterKappa } from './labels.js';
import { visualLatent, writeFrames } from './frames.js';
import { audioLatent, segmentsInWindow, writeAudio } from './audio.js';
import { spokenWords, asrConfidence, transcribe, languageCode } from './transcript.js';
import { makeGeometry, CATEGORIES, REGIONS, DEVICES, DRIFT_CATEGORY } from './world.js';
import { makeVocabulary, type Vocabulary } from './vocab.js';
import { frameDetectorScores, visualHarmFrames } from './detector.js';

export interface Simulation {
  preset: SimPreset;
  seed: number;
  table: VideoTable;
  truth: TruthTable;
  /** The full virtual stream (every upload, stored or not) with the removal log. */
  stream: UploadStream;
  creators: Creators;
  /** Stored row r is virtual upload `rowUpload[r]`. */
  rowUpload: Int32Array;
  raterKappa: number;
  /** The synthetic vocabularies transcripts are drawn from (per language). */
  vocab: Vocabulary;
  startMs: number;
  endMs: number;
  /** Seconds spent per stage. */
  timings: Record<string, number>;
  /** The behaviour knobs the world was generated with. */
  knobs: SimKnobs;
  /**
   * Faint-segment variant only (knobs.faintSegmentFrames > 0): per stored row, the frame-level
   * reference detector's score (detector.ts) and how many frames carry the visual harm.
   */
  detector?: { score: Float64Array; harmFrames: Int32Array };
}

/**
 * Another stream of the same world: `salt` draws a new creator population, new content and new
 * uploads from the seed's world (same harm directions and vocabularies, so a model trained on the
 * seed's dataset applies), and `startMs` moves the calendar. Without it the output is unchanged.
 */
export interface StreamOptions {
  salt?: string;
  startMs?: number;
  /** Prefix of every video and creator id (keeps the ids of several streams written together apart). */
  idPrefix?: string;
}

const pad = (x: number, w: number): string => String(x).padStart(w, '0');

/**
 * Generate a StreamShare-like dataset: the virtual stream first (creators, times, content, labels,
 * strikes), then embeddings and transcripts only for the stored rows — each from its content's
 * latent (rng forked by content id) plus per-upload noise (rng forked by upload index), so the
 * result is identical for a given seed however it is computed.
 */
export function simulate(preset: SimPreset, seed: number, knobs: SimKnobs = DEFAULT_KNOBS, stream_?: StreamOptions): Simulation {
  if (!Number.isInteger(seed)) throw new VigilError(`seed: expected an integer, got ${seed}`, { field: 'seed' });
  if (preset.nVirtual >= 4_194_304) throw new VigilError(`nVirtual: at most 4194303 uploads, got ${preset.nVirtual}`, { field: 'nVirtual' });
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => { const t = performance.now(); timings[name] = (t - t0) / 1000; t0 = t; };

  const base = createRng(seed);
  const wrng = base.fork('world');
  // A salted stream keeps the world (harm directions, vocabularies) and draws new creators, content and uploads.
  const root = stream_?.salt ? base.fork(`stream-salt:${stream_.salt}`) : base;
  const geom = makeGeometry(wrng, preset.frameDim, preset.audioDim);
  const vocab = makeVocabulary(wrng);
  const startMs = stream_?.startMs ?? SIM_START_MS;
  const endMs = startMs + preset.weeks * MS_PER_WEEK;
  const creators = makeCreators(root.fork('creators'), preset.nVirtual * knobs.creatorsPerUpload, startMs, endMs, knobs);
  const stream = simulateStream(root.fork('stream'), preset, knobs, creators, startMs);
  lap('stream');
  const q = new Float64Array(stream.n);
  for (let j = 0; j < stream.n; j++) q[j] = stream.contents.q[stream.content[j]];
  const raterKappa = simulateRaterKappa(q, root.fork('raters'));
  lap('raters');

  let n = 0, totalFrames = 0;
  for (let j = 0; j < stream.n; j++) if (stream.keep[j]) { n++; totalFrames += stream.durationS[j]; }
  const rowUpload = new Int32Array(n);
  for (let j = 0, r = 0; j < stream.n; j++) if (stream.keep[j]) rowUpload[r++] = j;

  const cs = stream.contents;
  const fd = preset.frameDim, ad = preset.audioDim;
  const frameOffsets = new Int32Array(n + 1), audioOffsets = new Int32Array(n + 1);
  const frameTs = new Float32Array(totalFrames), frameEmb = new Float32Array(totalFrames * fd);
  const audioTs = new F32Builder(Math.max(16, n * 4)), audioEmb = new F32Builder(Math.max(16, n * 4 * ad));
  const videoId: string[] = new Array(n), creatorId: string[] = new Array(n);
  const country: string[] = new Array(n), device: string[] = new Array(n);
  const uploadTs = new Float64Array(n), durationS = new Float32Array(n);
  const accountAgeDays = new Float32Array(n), priorStrikes = new Float32Array(n), uploadHour = new Int8Array(n);
  const hasAudio = new Uint8Array(n), transcript: (string | null)[] = new Array(n);
  const asr = new Float32Array(n), language: (string | null)[] = new Array(n);
  const harmful = new Int8Array(n), policyTags: string[][] = new Array(n), weight = new Float32Array(n);
  const tVideo: string[] = new Array(n), trueHarmful = new Int8Array(n), category: string[] = new Array(n);
  const oracleP = new Float64Array(n), reuploadOf: (string | null)[] = new Array(n);
  const faint = knobs.faintSegmentFrames > 0;
  const harmFrames = new Int32Array(faint ? n : 0), rowTopic = new Uint8Array(faint ? n : 0);
  const idPrefix = stream_?.idPrefix ?? '';
  const vidOf = (j: number): string => idPrefix + 'v' + pad(j, 7);
  const contentRoot = root.fork('content'), uploadRoot = root.fork('upload');
  const negWeight = Math.fround(1 / preset.negKeepRate);

  const bar = progress(`simulate ${preset.name}: embeddings and transcripts`, n);
  for (let r = 0; r < n; r++) {
    if ((r & 4095) === 0) bar.tick(r);
    const j = rowUpload[r];
    const cid = stream.content[j], c = stream.creator[j];
    const crng = contentRoot.fork(cid), urng = uploadRoot.fork(j);
    videoId[r] = vidOf(j);
    tVideo[r] = videoId[r];
    creatorId[r] = idPrefix + 'c' + pad(c, 7);
    uploadTs[r] = stream.ts[j];
    uploadHour[r] = new Date(stream.ts[j]).getUTCHours();
    const dur = stream.durationS[j], off = stream.offsetS[j];
    // frames are sampled at 1 FPS: ceil(duration_s) frames
    durationS[r] = dur - Math.round(urng.next() * 900) / 1000;
    country[r] = REGIONS[creators.region[c]].code;
    device[r] = DEVICES[creators.device[c]];
    const missing = stream.metaMissing[j] === 1;
    accountAgeDays[r] = missing ? NaN : stream.accountAgeDays[j];
    priorStrikes[r] = missing ? NaN : stream.priorStrikes[j];

    // visual
    const nf = dur;
    frameOffsets[r + 1] = frameOffsets[r] + nf;
    const vlat = visualLatent(crng, geom, cs, cid, knobs);
    writeFrames(frameEmb, frameTs, frameOffsets[r], nf, off, vlat, urng, geom, knobs, cs, cid);
    if (faint) { harmFrames[r] = visualHarmFrames(cs, cid, off, nf, knobs); rowTopic[r] = cs.topic[cid]; }
    // audio (+ speech)
    let nSeg = 0;
    transcript[r] = null; language[r] = null; asr[r] = NaN;
    if (cs.hasAudio[cid]) {
      const alat = audioLatent(crng, geom, cs, cid, knobs);
      const segs = segmentsInWindow(alat, off, dur);
      nSeg = segs.length;
      audioTs.reserve(nSeg); audioEmb.reserve(nSeg * ad);
      writeAudio(audioEmb.buf, audioTs.buf, audioOffsets[r], segs, off, alat, urng, geom, knobs, cs, cid);
      audioTs.len += nSeg; audioEmb.len += nSeg * ad;
      if (cs.hasSpeech[cid]) {
        const spoken = spokenWords(crng, vocab, cs, cid, alat);
        const conf = asrConfidence(urng, cs, cid);
        const text = transcribe(urng, vocab, cs, cid, spoken, off, dur, conf);
        if (text !== null) { transcript[r] = text; asr[r] = conf; language[r] = languageCode(cs, cid); }
      }
    }
    hasAudio[r] = nSeg > 0 ? 1 : 0;
    audioOffsets[r + 1] = audioOffsets[r] + nSeg;

    // labels and truth
    const y = stream.label[j];
    harmful[r] = y;
    weight[r] = y === 1 ? 1 : negWeight;
    const cat = cs.cat[cid];
    trueHarmful[r] = cat >= 0 ? 1 : 0;
    category[r] = cat >= 0 ? CATEGORIES[cat] : cs.hardNeg[cid] ? 'hard_negative' : 'none';
    oracleP[r] = cs.q[cid];
    reuploadOf[r] = stream.reuploadOf[j] >= 0 ? vidOf(stream.reuploadOf[j]) : null;
    policyTags[r] = y === 1 ? tagsFor(cat, urng) : [];
  }
  bar.end(`${n} rows`);
  // Feature stores keep embeddings at reduced precision; a 1/256 grid (far below the noise scale)
  // also lets Parquet's ZSTD compress the low mantissa bytes, roughly halving the files.
  quantize(frameEmb);
  const aEmb = audioEmb.finish();
  quantize(aEmb);
  lap('modalities');

  const table: VideoTable = {
    n, videoId, creatorId, uploadTs, durationS, country, device, accountAgeDays, priorStrikes, uploadHour,
    frameDim: fd, frameOffsets, frameTs, frameEmb,
    audioDim: ad, hasAudio, audioOffsets, audioTs: audioTs.finish(), audioEmb: aEmb,
    transcript, asrConfidence: asr, language, harmful, policyTags, weight,
  };
  const truth: TruthTable = { n, videoId: tVideo, trueHarmful, category, oracleP, reuploadOf };
  // on the quantised embeddings: the detector sees exactly what a model sees
  const detector = faint ? { score: frameDetectorScores(table, geom, rowTopic), harmFrames } : undefined;
  if (faint) lap('detector');
  return { preset, seed, table, truth, stream, creators, rowUpload, raterKappa, vocab, startMs, endMs, timings, knobs, detector };
}

const EMB_GRID = 256;
function quantize(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.round(a[i] * EMB_GRID) / EMB_GRID;
}

/**
 * Multi-label policy tags of a removed upload: the content's category, sometimes with a related
 * second tag; a wrongly removed upload gets the tag the rater believed (mostly graphic violence,
 * since look-alikes are violent-looking).
 */
function tagsFor(cat: number, urng: Rng): string[] {
  if (cat < 0) return [urng.next() < 0.8 ? 'graphic_violence' : CATEGORIES[urng.int(4)]];
  const tags = [CATEGORIES[cat]];
  const u = urng.next();
  if (cat === DRIFT_CATEGORY && u < 0.3) tags.push('extremism');
  else if (cat === 3 && u < 0.15) tags.push('hate_symbol');
  else if (cat === 1 && u < 0.1) tags.push('self_harm');
  return tags;
}
