/**
 * The audio track → per-segment embeddings.
 *
 * Decoding: ffmpeg resamples to 16 kHz mono float PCM on stdout; nothing is written to disk.
 * Segments: Silero VAD speech segments (split into pieces of at most `maxSegmentS`). When a track has
 * no speech at all (music, noise, silence), fixed `windowS` activity windows cover the whole track
 * instead, so every video with an audio track has at least one segment and the model still sees what
 * the track sounds like; the `is_speech` feature tells the two kinds apart.
 * Embedding: signal-processing statistics per segment (MFCC means/stds, loudness, spectral shape,
 * zero-crossing rate). This is not a learned audio encoder; a pretrained one (e.g. a VGGish/PANNs-style
 * network) would replace `segmentFeatures` when one can be installed, and the extractor id would change.
 */
import Meyda from 'meyda';
import { VigilError } from '../util/errors.js';
import { inputArg, lastLine, runProcess, type MediaInfo } from './ffmpeg.js';
import { SAMPLE_RATE, type SpeechSegment, type Vad } from './vad.js';

const N_MFCC = 13;
/** Analysis frame (32 ms) and hop (16 ms) at 16 kHz. */
const FRAME = 512;
const HOP = 256;
/** Frames quieter than this count as silent in `active_frac`. */
const ACTIVE_DB = -40;

export const AUDIO_FEATURE_NAMES: readonly string[] = [
  ...Array.from({ length: N_MFCC }, (_, i) => `mfcc${i}_mean`),
  ...Array.from({ length: N_MFCC }, (_, i) => `mfcc${i}_std`),
  'rms_db_mean', 'rms_db_std', 'centroid_khz_mean', 'centroid_khz_std', 'flatness_mean', 'flatness_std',
  'zcr_mean', 'zcr_std', 'rolloff_khz_mean', 'rolloff_khz_std', 'active_frac', 'log_duration_s',
  'speech_prob', 'is_speech',
];
export const AUDIO_DIM = AUDIO_FEATURE_NAMES.length;
export const AUDIO_FEATURES_ID = `meyda-5.6-stats:${AUDIO_DIM}/frame${FRAME}-hop${HOP}@${SAMPLE_RATE}`;

export interface AudioOptions {
  /** Longest segment; longer speech runs are split so one segment is never most of a long video. */
  maxSegmentS?: number;
  /** Window length for tracks without speech. */
  windowS?: number;
}

export interface AudioSegment extends SpeechSegment {
  isSpeech: boolean;
}

export interface AudioFeatures {
  segments: AudioSegment[];
  /** [segments x AUDIO_DIM] row-major. */
  emb: Float32Array;
}

/** Decode the first audio stream to 16 kHz mono float32; null when the media has no audio track. */
export async function decodeAudio(path: string, info: MediaInfo): Promise<Float32Array | null> {
  if (!info.hasAudio) return null;
  const r = await runProcess('ffmpeg', [
    '-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-i', inputArg(path), '-map', '0:a:0', '-vn', '-sn',
    '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1',
  ]);
  if (r.code !== 0) throw new VigilError(`${path}: audio decoding failed (ffmpeg: ${lastLine(r.stderr)})`, { field: path });
  // Copy into an aligned buffer: Buffer.concat's byteOffset need not be a multiple of 4.
  const bytes = new Uint8Array(r.stdout.length - (r.stdout.length % 4));
  bytes.set(r.stdout.subarray(0, bytes.length));
  return new Float32Array(bytes.buffer);
}

/** Split long segments; fall back to activity windows when there is no speech. */
export function planSegments(speech: SpeechSegment[], totalS: number, opts: AudioOptions = {}): AudioSegment[] {
  const maxS = opts.maxSegmentS ?? 10;
  const winS = opts.windowS ?? 5;
  const out: AudioSegment[] = [];
  if (speech.length > 0) {
    for (const s of speech) {
      for (let a = s.start; a < s.end - 1e-9; a += maxS) out.push({ start: a, end: Math.min(s.end, a + maxS), meanProb: s.meanProb, isSpeech: true });
    }
    return out;
  }
  if (totalS <= 0) return out;
  for (let a = 0; a < totalS - 1e-9; a += winS) {
    const end = Math.min(totalS, a + winS);
    // A sliver at the end carries little signal; fold it into the previous window.
    if (end - a < 0.5 && out.length > 0) { out[out.length - 1].end = end; break; }
    out.push({ start: a, end, meanProb: 0, isSpeech: false });
  }
  return out;
}

const finite = (x: number | undefined, fallback = 0) => (x !== undefined && Number.isFinite(x) ? x : fallback);

function meanStd(xs: number[]): [number, number] {
  if (xs.length === 0) return [0, 0];
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return [m, Math.sqrt(v / xs.length)];
}

let meydaReady = false;
function setupMeyda(): void {
  if (meydaReady) return;
  Meyda.bufferSize = FRAME;
  Meyda.sampleRate = SAMPLE_RATE;
  Meyda.numberOfMFCCCoefficients = N_MFCC;
  Meyda.windowingFunction = 'hanning';
  meydaReady = true;
}

/** The AUDIO_DIM statistics of one segment of 16 kHz PCM. */
export function segmentFeatures(pcm: Float32Array, seg: AudioSegment): Float32Array {
  setupMeyda();
  const a = Math.max(0, Math.floor(seg.start * SAMPLE_RATE));
  const b = Math.min(pcm.length, Math.ceil(seg.end * SAMPLE_RATE));
  const mf: number[][] = Array.from({ length: N_MFCC }, () => []);
  const rms: number[] = [], cen: number[] = [], flat: number[] = [], zcr: number[] = [], roll: number[] = [];
  let active = 0;
  const frame = new Float32Array(FRAME);
  for (let s = a; s < Math.max(b - FRAME, a) + 1; s += HOP) {
    frame.fill(0);
    frame.set(pcm.subarray(s, Math.min(s + FRAME, b)));
    const f = Meyda.extract(['mfcc', 'rms', 'spectralCentroid', 'spectralFlatness', 'zcr', 'spectralRolloff'], frame);
    if (!f) continue;
    const mfcc = f.mfcc ?? [];
    for (let i = 0; i < N_MFCC; i++) mf[i].push(finite(mfcc[i]));
    const db = 20 * Math.log10(Math.max(finite(f.rms), 1e-5)); // floor at -100 dBFS (digital silence)
    rms.push(db);
    if (db > ACTIVE_DB) active++;
    // Meyda's centroid is in spectrum bins; bin width is SAMPLE_RATE / FRAME Hz.
    cen.push((finite(f.spectralCentroid) * SAMPLE_RATE) / FRAME / 1000);
    flat.push(finite(f.spectralFlatness));
    zcr.push(finite(f.zcr) / FRAME);
    roll.push(finite(f.spectralRolloff) / 1000);
  }
  const out: number[] = [];
  const stats = mf.map(meanStd);
  for (const [m] of stats) out.push(m);
  for (const [, s] of stats) out.push(s);
  for (const xs of [rms, cen, flat, zcr, roll]) out.push(...meanStd(xs));
  out.push(rms.length ? active / rms.length : 0);
  out.push(Math.log1p(Math.max(0, seg.end - seg.start)));
  out.push(seg.meanProb);
  out.push(seg.isSpeech ? 1 : 0);
  return Float32Array.from(out);
}

/** VAD + segment planning + features for a decoded track. */
export async function embedAudio(pcm: Float32Array, vad: Vad, opts: AudioOptions = {}): Promise<AudioFeatures> {
  const speech = await vad.segments(pcm);
  const segments = planSegments(speech, pcm.length / SAMPLE_RATE, opts);
  const emb = new Float32Array(segments.length * AUDIO_DIM);
  segments.forEach((s, k) => emb.set(segmentFeatures(pcm, s), k * AUDIO_DIM));
  return { segments, emb };
}
