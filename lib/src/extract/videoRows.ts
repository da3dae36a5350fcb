/**
 * Building VideoTables from extracted pieces: one row per video, then concatenation of rows into
 * the batch table that is written as one Parquet part.
 */
import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';

/** Everything extracted for one video, in dataset terms. */
export interface VideoRow {
  videoId: string;
  creatorId: string;
  uploadTs: number;
  durationS: number;
  country: string;
  device: string;
  accountAgeDays: number;
  priorStrikes: number;
  uploadHour: number;
  frameDim: number;
  frameTs: Float32Array;
  frameEmb: Float32Array;
  audioDim: number;
  /** null: no audio track. */
  audio: { ts: Float32Array; emb: Float32Array } | null;
  transcript: string | null;
  asrConfidence: number;
  language: string | null;
  /** -1 = unlabelled (extraction for scoring). */
  harmful: number;
  policyTags: string[];
  weight: number;
}

/** A 1-row VideoTable. */
export function rowTable(r: VideoRow): VideoTable {
  const nf = r.frameTs.length;
  if (nf < 1) throw new VigilError(`${r.videoId}: a video needs at least one frame`, { field: 'frame_ts' });
  if (r.frameEmb.length !== nf * r.frameDim) throw new VigilError(`${r.videoId}: frame_emb has ${r.frameEmb.length} values, expected ${nf} x ${r.frameDim}`, { field: 'frame_emb' });
  const na = r.audio ? r.audio.ts.length : 0;
  if (r.audio && r.audio.emb.length !== na * r.audioDim) throw new VigilError(`${r.videoId}: audio_emb has ${r.audio.emb.length} values, expected ${na} x ${r.audioDim}`, { field: 'audio_emb' });
  return {
    n: 1,
    videoId: [r.videoId], creatorId: [r.creatorId], uploadTs: Float64Array.of(r.uploadTs),
    durationS: Float32Array.of(r.durationS), country: [r.country], device: [r.device],
    accountAgeDays: Float32Array.of(r.accountAgeDays), priorStrikes: Float32Array.of(r.priorStrikes),
    uploadHour: Int8Array.of(r.uploadHour),
    frameDim: r.frameDim, frameOffsets: Int32Array.of(0, nf), frameTs: r.frameTs, frameEmb: r.frameEmb,
    audioDim: r.audioDim, hasAudio: Uint8Array.of(r.audio ? 1 : 0), audioOffsets: Int32Array.of(0, na),
    audioTs: r.audio ? r.audio.ts : new Float32Array(0), audioEmb: r.audio ? r.audio.emb : new Float32Array(0),
    transcript: [r.transcript], asrConfidence: Float32Array.of(r.asrConfidence), language: [r.language],
    harmful: Int8Array.of(r.harmful), policyTags: [r.policyTags], weight: Float32Array.of(r.weight),
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
  };
}
