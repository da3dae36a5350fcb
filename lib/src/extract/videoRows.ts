/**
 * Building VideoTables from extracted pieces: one row per video, then concatenation of rows into
 * the batch table that is written as one Parquet part.
 */
import type { VideoScalars, VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';

/** Everything extracted for one video, in dataset terms. */
export interface VideoRow extends VideoScalars {
  frameDim: number;
  frameTs: Float32Array;
  frameEmb: Float32Array;
  audioDim: number;
  /** null: no audio track. */
  audio: { ts: Float32Array; emb: Float32Array } | null;
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
