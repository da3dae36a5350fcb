/**
 * The table the split needs, read in row-group batches without holding the sequences.
 *
 * The split reads frame embeddings only through their per-video mean (the SimHash fingerprint), and
 * audio only when the fingerprint uses the audio modality. So each video's frames are replaced by
 * one frame, their mean, computed the way `meanFrame` does — the mean of that single frame is the
 * same float32 value, so fingerprints, clusters and the whole split are identical to the split of
 * the full table — and audio segments and transcript text are dropped (the has-audio flag and the
 * transcript's presence stay) unless fingerprinted.
 * Memory per row falls from the sequences' size (about 12 KiB at 17 × 64-d frames and audio) to the
 * metadata plus one frameDim vector.
 */
import type { VideoTable } from '../data/table.js';
import { concatVideoTables, meanFrame } from '../data/table.js';
import { scanVideoBatches } from '../data/parquet.js';
import type { NearDupConfig } from '../split/config.js';
import { VigilError } from '../util/errors.js';

/**
 * The split reads a transcript's text only when it fingerprints transcripts; otherwise only whether
 * there is one (the audit's missing-transcript share). One shared marker string stands for every
 * present transcript, so the split holds no text.
 */
const TRANSCRIPT_PRESENT = 'present';
const NO_TAGS: string[] = [];

/** One pooled frame per video; audio kept only when `keepAudio`, transcript text only when `keepText`. */
export function poolForSplit(c: VideoTable, keepAudio: boolean, keepText = true): VideoTable {
  const d = c.frameDim;
  const frameEmb = new Float32Array(d > 0 ? c.n * d : 0);
  const frameOffsets = new Int32Array(c.n + 1);
  const frameTs = new Float32Array(d > 0 ? c.n : 0);
  if (d > 0) {
    const m = new Float32Array(d);
    for (let i = 0; i < c.n; i++) {
      meanFrame(c, i, m);
      frameEmb.set(m, i * d);
      frameOffsets[i + 1] = i + 1;
      frameTs[i] = c.frameTs[c.frameOffsets[i]];
    }
  }
  const audio = keepAudio
    ? { audioOffsets: c.audioOffsets, audioTs: c.audioTs, audioEmb: c.audioEmb }
    : { audioOffsets: new Int32Array(c.n + 1), audioTs: new Float32Array(0), audioEmb: new Float32Array(0) };
  // Policy tags and languages are never read by the split.
  const text = keepText ? {} : {
    transcript: c.transcript.map((x) => (x ? TRANSCRIPT_PRESENT : null)), language: new Array<string | null>(c.n).fill(null),
    policyTags: new Array<string[]>(c.n).fill(NO_TAGS),
  };
  return { ...c, frameEmb, frameOffsets, frameTs, ...audio, ...text };
}

export async function readSplitTable(path: string, opts: { batchRows: number; nearDup: Pick<NearDupConfig, 'modalities'> }): Promise<VideoTable> {
  if (!(Number.isInteger(opts.batchRows) && opts.batchRows >= 1)) {
    throw new VigilError(`batchRows: expected a positive integer, got ${opts.batchRows}`, { field: 'batchRows' });
  }
  const keepAudio = opts.nearDup.modalities.includes('audio'), keepText = opts.nearDup.modalities.includes('transcript');
  const parts: VideoTable[] = [];
  await scanVideoBatches(path, (chunk) => { parts.push(poolForSplit(chunk, keepAudio, keepText)); }, { batchSize: opts.batchRows });
  if (parts.length === 0) throw new VigilError(`${path}: no rows`, { field: 'videos.parquet' });
  return parts.length === 1 ? parts[0] : concatVideoTables(parts);
}
