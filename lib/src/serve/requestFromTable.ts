import type { VideoTable } from '../data/table.js';

/**
 * One dataset row as a scoring request (the inverse of `videosToTable`): how `vigil score` input is
 * made from a feature table, and how tests replay real rows through the server. Labels are left out.
 */
export function requestFromTable(t: VideoTable, i: number, opts: { base64?: boolean } = {}): Record<string, unknown> {
  const f0 = t.frameOffsets[i], f1 = t.frameOffsets[i + 1];
  const a0 = t.audioOffsets[i], a1 = t.audioOffsets[i + 1];
  const emb = (flat: Float32Array, from: number, to: number, dim: number): unknown => {
    const block = flat.subarray(from * dim, to * dim);
    if (opts.base64) return Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString('base64');
    return Array.from({ length: to - from }, (_, k) => Array.from(block.subarray(k * dim, (k + 1) * dim)));
  };
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  const hasAudio = t.hasAudio[i] === 1 && a1 > a0;
  return {
    video_id: t.videoId[i], creator_id: t.creatorId[i], upload_ts: t.uploadTs[i], duration_s: num(t.durationS[i]),
    country: t.country[i], device: t.device[i], account_age_days: num(t.accountAgeDays[i]), prior_strikes: num(t.priorStrikes[i]),
    upload_hour: t.uploadHour[i],
    frame_ts: Array.from(t.frameTs.subarray(f0, f1)), frame_emb: emb(t.frameEmb, f0, f1, t.frameDim),
    audio_emb: hasAudio ? emb(t.audioEmb, a0, a1, t.audioDim) : null,
    audio_ts: hasAudio ? Array.from(t.audioTs.subarray(a0, a1)) : null,
    transcript: t.transcript[i], asr_confidence: num(t.asrConfidence[i]), language: t.language[i],
  };
}
