/**
 * The in-memory form of a dataset folder's `videos.parquet` (the schema in docs/CONTRACTS.md).
 *
 * Columnar and typed so that hundreds of thousands of videos with per-frame embeddings fit in memory:
 * variable-length sequences (frames, audio segments) are stored CSR-style — one flat value array plus
 * an offsets array of length n+1, so row i's frames are `frameOffsets[i] .. frameOffsets[i+1]`.
 *
 * Nullable numeric columns use NaN for null (the loader converts Arrow nulls to NaN and rejects NaN
 * where the schema does not allow null). Nullable strings use null.
 */
import { VigilError } from '../util/errors.js';

/** The scalar fields of one video (a table row, a scoring request, an extracted clip). */
export interface VideoScalars {
  videoId: string;
  creatorId: string;
  uploadTs: number;
  durationS: number;
  country: string;
  device: string;
  accountAgeDays: number;
  priorStrikes: number;
  uploadHour: number;
  transcript: string | null;
  asrConfidence: number;
  language: string | null;
}

export interface VideoTable {
  n: number;
  // ids and time
  videoId: string[];
  creatorId: string[];
  /** Upload time, epoch milliseconds UTC; NaN = unknown (all NaN: a dataset without time). */
  uploadTs: Float64Array;
  // metadata
  /** NaN = missing. */
  durationS: Float32Array;
  /** 'unknown' when the file has no value. */
  country: string[];
  device: string[];
  /** NaN = missing. */
  accountAgeDays: Float32Array;
  /** NaN = missing. */
  priorStrikes: Float32Array;
  /** 0–23; -1 = unknown. */
  uploadHour: Int8Array;
  // visual: every video has >= 1 frame, or (no frames in the dataset) frameDim 0 and all offsets 0
  frameDim: number;
  frameOffsets: Int32Array;
  frameTs: Float32Array;
  /** (total frames) x frameDim, row-major. */
  frameEmb: Float32Array;
  // audio: hasAudio[i] = 0 means no audio track (offsets then give zero segments); audioDim 0: no audio at all
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
  /**
   * Optional columns the source file did not have; their values hold the "absent" representation
   * (frameDim 0, audioDim 0, transcript null, upload_ts NaN, numeric metadata NaN, country/device
   * 'unknown', upload_hour -1, creator_id = video_id). Undefined when every column was present or the
   * table was built in memory.
   * The Parquet writer omits these columns so a file round-trips with the same columns.
   */
  absentColumns?: string[];
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
    ...(t.absentColumns ? { absentColumns: [...t.absentColumns] } : {}),
  };
}

function cat<A extends Float32Array | Float64Array | Int8Array | Uint8Array>(parts: A[]): A {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new (parts[0].constructor as new (n: number) => A)(n);
  let o = 0;
  for (const p of parts) { out.set(p as never, o); o += p.length; }
  return out;
}

function catOffsets(parts: Int32Array[]): Int32Array {
  const n = parts.reduce((s, p) => s + p.length - 1, 0);
  const out = new Int32Array(n + 1);
  let row = 0, base = 0;
  for (const p of parts) {
    for (let i = 1; i < p.length; i++) out[row + i] = base + p[i];
    row += p.length - 1;
    base += p[p.length - 1];
  }
  return out;
}

/** Row-wise concatenation; every table must share frame and audio dimensions. */
export function concatVideoTables(ts: VideoTable[]): VideoTable {
  if (ts.length === 0) throw new VigilError('concatVideoTables: no tables', { field: 'tables' });
  for (const t of ts) {
    if (t.frameDim !== ts[0].frameDim) throw new VigilError(`frame_emb dimension ${t.frameDim} differs from ${ts[0].frameDim}`, { field: 'frame_emb' });
    if (t.audioDim !== ts[0].audioDim) throw new VigilError(`audio_emb dimension ${t.audioDim} differs from ${ts[0].audioDim}`, { field: 'audio_emb' });
  }
  const flat = <T>(f: (t: VideoTable) => T[]): T[] => ts.flatMap(f);
  return {
    n: ts.reduce((s, t) => s + t.n, 0),
    videoId: flat((t) => t.videoId), creatorId: flat((t) => t.creatorId), uploadTs: cat(ts.map((t) => t.uploadTs)),
    durationS: cat(ts.map((t) => t.durationS)), country: flat((t) => t.country), device: flat((t) => t.device),
    accountAgeDays: cat(ts.map((t) => t.accountAgeDays)), priorStrikes: cat(ts.map((t) => t.priorStrikes)),
    uploadHour: cat(ts.map((t) => t.uploadHour)),
    frameDim: ts[0].frameDim, frameOffsets: catOffsets(ts.map((t) => t.frameOffsets)),
    frameTs: cat(ts.map((t) => t.frameTs)), frameEmb: cat(ts.map((t) => t.frameEmb)),
    audioDim: ts[0].audioDim, hasAudio: cat(ts.map((t) => t.hasAudio)), audioOffsets: catOffsets(ts.map((t) => t.audioOffsets)),
    audioTs: cat(ts.map((t) => t.audioTs)), audioEmb: cat(ts.map((t) => t.audioEmb)),
    transcript: flat((t) => t.transcript), asrConfidence: cat(ts.map((t) => t.asrConfidence)), language: flat((t) => t.language),
    harmful: cat(ts.map((t) => t.harmful)), policyTags: flat((t) => t.policyTags), weight: cat(ts.map((t) => t.weight)),
    ...absentInAll(ts),
  };
}

/** A column is absent from a concatenation only when every part lacks it (otherwise its gaps are nulls). */
function absentInAll(ts: VideoTable[]): { absentColumns?: string[] } {
  if (ts.some((t) => !t.absentColumns)) return {};
  const absent = ts[0].absentColumns!.filter((c) => ts.every((t) => t.absentColumns!.includes(c)));
  return absent.length > 0 ? { absentColumns: absent } : {};
}

/** Which rows have an upload time: all, none, or some (a partial column is an error for the split). */
export function timeCoverage(t: VideoTable): { kind: 'all' | 'none' | 'partial'; missing: number; firstMissing: number } {
  let missing = 0, firstMissing = -1;
  for (let i = 0; i < t.n; i++) {
    if (!Number.isFinite(t.uploadTs[i])) { missing++; if (firstMissing < 0) firstMissing = i; }
  }
  const kind = missing === 0 ? 'all' : missing === t.n ? 'none' : 'partial';
  return { kind, missing, firstMissing };
}
