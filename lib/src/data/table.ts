/**
 * The in-memory form of a dataset folder's `videos.parquet` (the schema in CONTRACTS.md).
 *
 * Columnar and typed so that hundreds of thousands of videos with per-frame embeddings fit in memory:
 * variable-length sequences (frames, audio segments) are stored CSR-style — one flat value array plus
 * an offsets array of length n+1, so row i's frames are `frameOffsets[i] .. frameOffsets[i+1]`.
 *
 * Nullable numeric columns use NaN for null (the loader converts Arrow nulls to NaN and rejects NaN
 * where the schema does not allow null). Nullable strings use null.
 */
export interface VideoTable {
  n: number;
  // ids and time
  videoId: string[];
  creatorId: string[];
  /** Upload time, epoch milliseconds UTC. */
  uploadTs: Float64Array;
  // metadata
  durationS: Float32Array;
  country: string[];
  device: string[];
  /** NaN = missing. */
  accountAgeDays: Float32Array;
  /** NaN = missing. */
  priorStrikes: Float32Array;
  uploadHour: Int8Array;
  // visual: every video has >= 1 frame
  frameDim: number;
  frameOffsets: Int32Array;
  frameTs: Float32Array;
  /** (total frames) x frameDim, row-major. */
  frameEmb: Float32Array;
  // audio: hasAudio[i] = 0 means no audio track (offsets then give zero segments)
  audioDim: number;
  hasAudio: Uint8Array;
  audioOffsets: Int32Array;
  audioTs: Float32Array;
  audioEmb: Float32Array;
  // transcript
  transcript: (string | null)[];
  /** NaN = missing. */
  asrConfidence: Float32Array;
  language: (string | null)[];
  // labels
  harmful: Int8Array;
  policyTags: string[][];
  weight: Float32Array;
}

/** What `truth.parquet` holds (simulator only; never read by training). */
export interface TruthTable {
  n: number;
  videoId: string[];
  trueHarmful: Int8Array;
  category: string[];
  oracleP: Float64Array;
  /** null when the video is not a re-upload. */
  reuploadOf: (string | null)[];
}

export const MS_PER_DAY = 86_400_000;
export const MS_PER_WEEK = 7 * MS_PER_DAY;

export function frameCount(t: VideoTable, i: number): number {
  return t.frameOffsets[i + 1] - t.frameOffsets[i];
}

export function audioCount(t: VideoTable, i: number): number {
  return t.audioOffsets[i + 1] - t.audioOffsets[i];
}

/** A view of row i's frame embeddings (no copy). */
export function frameRows(t: VideoTable, i: number): Float32Array {
  return t.frameEmb.subarray(t.frameOffsets[i] * t.frameDim, t.frameOffsets[i + 1] * t.frameDim);
}

export function audioRows(t: VideoTable, i: number): Float32Array {
  return t.audioEmb.subarray(t.audioOffsets[i] * t.audioDim, t.audioOffsets[i + 1] * t.audioDim);
}

/** Mean-pool row i's frames into `out` (length frameDim). */
export function meanFrame(t: VideoTable, i: number, out = new Float32Array(t.frameDim)): Float32Array {
  out.fill(0);
  const rows = frameRows(t, i);
  const k = frameCount(t, i);
  const d = t.frameDim;
  for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) out[j] += rows[r * d + j];
  if (k > 0) for (let j = 0; j < d; j++) out[j] /= k;
  return out;
}

/** A new table holding rows `idx` (in that order). */
export function takeRows(t: VideoTable, idx: ArrayLike<number>): VideoTable {
  const n = idx.length;
  const pick = <T>(a: T[]): T[] => Array.from({ length: n }, (_, k) => a[idx[k]]);
  const pickTyped = <A extends Float32Array | Float64Array | Int8Array | Uint8Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(n);
    for (let k = 0; k < n; k++) out[k] = a[idx[k]];
    return out;
  };
  const seq = (offsets: Int32Array, ts: Float32Array, emb: Float32Array, dim: number) => {
    const off = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) off[k + 1] = off[k] + (offsets[idx[k] + 1] - offsets[idx[k]]);
    const nts = new Float32Array(off[n]);
    const nemb = new Float32Array(off[n] * dim);
    for (let k = 0; k < n; k++) {
      const a = offsets[idx[k]], b = offsets[idx[k] + 1];
      nts.set(ts.subarray(a, b), off[k]);
      nemb.set(emb.subarray(a * dim, b * dim), off[k] * dim);
    }
    return { off, nts, nemb };
  };
  const f = seq(t.frameOffsets, t.frameTs, t.frameEmb, t.frameDim);
  const a = seq(t.audioOffsets, t.audioTs, t.audioEmb, t.audioDim);
  return {
    n,
    videoId: pick(t.videoId), creatorId: pick(t.creatorId), uploadTs: pickTyped(t.uploadTs),
    durationS: pickTyped(t.durationS), country: pick(t.country), device: pick(t.device),
    accountAgeDays: pickTyped(t.accountAgeDays), priorStrikes: pickTyped(t.priorStrikes),
    uploadHour: pickTyped(t.uploadHour),
    frameDim: t.frameDim, frameOffsets: f.off, frameTs: f.nts, frameEmb: f.nemb,
    audioDim: t.audioDim, hasAudio: pickTyped(t.hasAudio), audioOffsets: a.off, audioTs: a.nts, audioEmb: a.nemb,
    transcript: pick(t.transcript), asrConfidence: pickTyped(t.asrConfidence), language: pick(t.language),
    harmful: pickTyped(t.harmful), policyTags: pick(t.policyTags), weight: pickTyped(t.weight),
  };
}
