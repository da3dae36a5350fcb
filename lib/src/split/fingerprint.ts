/**
 * Content fingerprints from derived features alone (no raw media): random-hyperplane SimHash over a
 * video's pooled embedding. Two videos whose pooled vectors are at angle θ agree on each bit with
 * probability 1 − θ/π, so the Hamming distance of two signatures estimates their cosine.
 *
 * The pooled vector concatenates L2-normalised, centred blocks: mean frame embedding, optionally the
 * mean audio embedding and a hashed word-shingle vector of the transcript. Centring matters: raw
 * embeddings share a large common direction, which would make every pair look similar.
 */
import type { VideoTable } from '../data/table.js';
import { meanFrame, audioRows, audioCount } from '../data/table.js';
import type { NearDupConfig } from './config.js';
import { createRng } from '../util/rng.js';
import { fnv1a } from '../util/hash.js';
import { VigilError } from '../util/errors.js';

/** The fitted fingerprinter: plain JSON, so serving can fingerprint an upload exactly as training did. */
export interface Fingerprinter {
  seed: number;
  bits: number;
  modalities: NearDupConfig['modalities'];
  audioWeight: number;
  transcriptWeight: number;
  shingleBuckets: number;
  frameDim: number;
  audioDim: number;
  frameCenter: number[];
  audioCenter: number[];
  textCenter: number[];
}

/** What one video offers for fingerprinting (the serving-side input). */
export interface FingerprintInput {
  /** Mean-pooled frame embedding (length frameDim). */
  frameMean: ArrayLike<number>;
  /** Mean-pooled audio embedding, or null without an audio track. */
  audioMean?: ArrayLike<number> | null;
  transcript?: string | null;
}

/** Word unigrams and bigrams, hashed into `buckets` (counts). Robust to a few ASR word errors. */
export function shingleCounts(text: string, buckets: number): Map<number, number> {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  const out = new Map<number, number>();
  const add = (s: string) => { const b = fnv1a(s) % buckets; out.set(b, (out.get(b) ?? 0) + 1); };
  for (let i = 0; i < words.length; i++) {
    add(words[i]);
    if (i + 1 < words.length) add(words[i] + ' ' + words[i + 1]);
  }
  return out;
}

function meanAudio(t: VideoTable, i: number, out: Float64Array): boolean {
  out.fill(0);
  const k = audioCount(t, i);
  if (!t.hasAudio[i] || k === 0) return false;
  const rows = audioRows(t, i);
  const d = t.audioDim;
  for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) out[j] += rows[r * d + j];
  for (let j = 0; j < d; j++) out[j] /= k;
  return true;
}

/** Fit the centres (dataset means of each pooled block); the hyperplanes come from the seed. */
export function fitFingerprinter(table: VideoTable, cfg: NearDupConfig, seed: number): Fingerprinter {
  if (table.n === 0) throw new VigilError('fingerprint: the table has no rows', { field: 'video_id' });
  const useAudio = cfg.modalities.includes('audio');
  const useText = cfg.modalities.includes('transcript');
  const fc = new Float64Array(table.frameDim);
  const ac = new Float64Array(table.audioDim);
  const tc = new Float64Array(useText ? cfg.shingleBuckets : 0);
  const fm = new Float32Array(table.frameDim);
  const am = new Float64Array(table.audioDim);
  let na = 0, nt = 0;
  for (let i = 0; i < table.n; i++) {
    meanFrame(table, i, fm);
    for (let j = 0; j < fm.length; j++) fc[j] += fm[j];
    if (useAudio && meanAudio(table, i, am)) { na++; for (let j = 0; j < am.length; j++) ac[j] += am[j]; }
    const tr = table.transcript[i];
    if (useText && tr) {
      const sh = shingleCounts(tr, cfg.shingleBuckets);
      const norm = Math.sqrt([...sh.values()].reduce((s, v) => s + v * v, 0));
      if (norm > 0) { nt++; for (const [b, v] of sh) tc[b] += v / norm; }
    }
  }
  const scale = (a: Float64Array, k: number) => Array.from(a, (v) => (k > 0 ? v / k : 0));
  return {
    seed: seed >>> 0, bits: cfg.bits, modalities: [...cfg.modalities],
    audioWeight: cfg.audioWeight, transcriptWeight: cfg.transcriptWeight, shingleBuckets: cfg.shingleBuckets,
    frameDim: table.frameDim, audioDim: table.audioDim,
    frameCenter: scale(fc, table.n), audioCenter: useAudio ? scale(ac, na) : [], textCenter: useText ? scale(tc, nt) : [],
  };
}

/**
 * Hyperplanes for one block: bits × dim standard normals from the seed and the block name, stored
 * dimension-major (p[j·bits + b]) so signing streams through memory once per input dimension.
 */
function planes(fp: Fingerprinter, block: string, dim: number): Float64Array {
  const rng = createRng(fp.seed).fork(`simhash:${block}`);
  const p = new Float64Array(fp.bits * dim);
  for (let b = 0; b < fp.bits; b++) for (let j = 0; j < dim; j++) p[j * fp.bits + b] = rng.normal();
  return p;
}

/** Reusable state for signing many videos with one fingerprinter (hyperplanes generated once). */
export interface Signer {
  fp: Fingerprinter;
  words: number;
  sign(input: FingerprintInput, out: Uint32Array, offset?: number): void;
}

export function createSigner(fp: Fingerprinter): Signer {
  if (fp.bits % 32 !== 0) throw new VigilError(`fingerprint: bits must be a multiple of 32, got ${fp.bits}`, { field: 'nearDup.bits' });
  const words = fp.bits / 32;
  const useAudio = fp.modalities.includes('audio');
  const useText = fp.modalities.includes('transcript');
  const pf = planes(fp, 'frames', fp.frameDim);
  const pa = useAudio ? planes(fp, 'audio', fp.audioDim) : new Float64Array(0);
  const pt = useText ? planes(fp, 'transcript', fp.shingleBuckets) : new Float64Array(0);
  const bits = fp.bits;
  // Plane · centre for the sparse transcript block: (plane · (x − c)) = plane·x − plane·c.
  const tcNorm2 = fp.textCenter.reduce((s, v) => s + v * v, 0);
  const ptc = new Float64Array(fp.bits);
  if (useText) for (let j = 0; j < fp.shingleBuckets; j++) {
    const c = fp.textCenter[j];
    for (let b = 0; b < bits; b++) ptc[b] += pt[j * bits + b] * c;
  }
  const dot = new Float64Array(fp.bits);
  const xf = new Float64Array(fp.frameDim);
  const xa = new Float64Array(fp.audioDim);

  /** Add weight · plane · unit(x − c) for a dense block; a zero vector (e.g. one video) adds nothing. */
  const addDense = (x: ArrayLike<number>, c: number[], p: Float64Array, dim: number, w: number, buf: Float64Array) => {
    if (x.length !== dim) throw new VigilError(`fingerprint: embedding of length ${x.length}, expected ${dim}`, { field: 'embedding' });
    let nrm = 0;
    for (let j = 0; j < dim; j++) { buf[j] = x[j] - c[j]; nrm += buf[j] * buf[j]; }
    if (!(nrm > 0) || !Number.isFinite(nrm)) return;
    const s = w / Math.sqrt(nrm);
    for (let j = 0; j < dim; j++) {
      const v = s * buf[j];
      const o = j * bits;
      for (let b = 0; b < bits; b++) dot[b] += p[o + b] * v;
    }
  };

  const sign = (input: FingerprintInput, out: Uint32Array, offset = 0) => {
    dot.fill(0);
    addDense(input.frameMean, fp.frameCenter, pf, fp.frameDim, 1, xf);
    if (useAudio && input.audioMean) addDense(input.audioMean, fp.audioCenter, pa, fp.audioDim, fp.audioWeight, xa);
    if (useText && input.transcript) {
      const sh = shingleCounts(input.transcript, fp.shingleBuckets);
      let n2 = 0; for (const v of sh.values()) n2 += v * v;
      if (n2 > 0) {
        const inv = 1 / Math.sqrt(n2);
        // ||x/|x| − c||² expanded so the dense centre never has to be materialised per video.
        let xc = 0; for (const [j, v] of sh) xc += v * inv * fp.textCenter[j];
        const nrm = Math.sqrt(Math.max(1 - 2 * xc + tcNorm2, 1e-12));
        const s = fp.transcriptWeight / nrm;
        for (const [j, v] of sh) {
          const a = s * v * inv, o = j * bits;
          for (let b = 0; b < bits; b++) dot[b] += pt[o + b] * a;
        }
        for (let b = 0; b < bits; b++) dot[b] -= s * ptc[b];
      }
    }
    for (let w = 0; w < words; w++) {
      let word = 0;
      for (let k = 0; k < 32; k++) if (dot[w * 32 + k] >= 0) word |= 1 << k;
      out[offset + w] = word >>> 0;
    }
  };
  return { fp, words, sign };
}

/** Signatures of every row: n × (bits/32) words, row-major. */
export function fingerprintTable(fp: Fingerprinter, table: VideoTable): Uint32Array {
  if (table.frameDim !== fp.frameDim) throw new VigilError(`fingerprint: table frame_emb has dim ${table.frameDim}, fingerprinter expects ${fp.frameDim}`, { field: 'frame_emb' });
  const signer = createSigner(fp);
  const out = new Uint32Array(table.n * signer.words);
  const fm = new Float32Array(table.frameDim);
  const am = new Float64Array(table.audioDim);
  const useAudio = fp.modalities.includes('audio');
  for (let i = 0; i < table.n; i++) {
    meanFrame(table, i, fm);
    const hasA = useAudio && meanAudio(table, i, am);
    signer.sign({ frameMean: fm, audioMean: hasA ? am : null, transcript: table.transcript[i] }, out, i * signer.words);
  }
  return out;
}

/** One video's signature (serving: an upload's known-content lookup). */
export function fingerprintVideo(fp: Fingerprinter, input: FingerprintInput): Uint32Array {
  const signer = createSigner(fp);
  const out = new Uint32Array(signer.words);
  signer.sign(input, out);
  return out;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Hamming distance between signature rows a and b of (possibly different) signature arrays. */
export function hamming(sa: Uint32Array, a: number, sb: Uint32Array, b: number, words: number): number {
  let d = 0;
  const oa = a * words, ob = b * words;
  for (let w = 0; w < words; w++) d += popcount((sa[oa + w] ^ sb[ob + w]) >>> 0);
  return d;
}

/** The cosine that a Hamming distance estimates: cos(π · h / bits). */
export function cosineFromHamming(h: number, bits: number): number {
  return Math.cos((Math.PI * h) / bits);
}

/** The largest Hamming distance whose estimated cosine is still >= minCosine. */
export function maxHammingFor(minCosine: number, bits: number): number {
  return Math.floor((bits * Math.acos(Math.max(-1, Math.min(1, minCosine)))) / Math.PI + 1e-9);
}
