/**
 * Bounded-memory reading of the feature store with negative downsampling while reading.
 *
 * The store is read in row-group batches of `batchRows` rows (one batch decoded at a time), so peak
 * memory is set by that config value and by what the caller keeps, not by the dataset. Each negative
 * is kept with probability `negativeKeepRate`, decided by a random stream keyed by the seed and the
 * video id — the same videos are kept whatever the batch size, part layout or read order — and a kept
 * negative's weight is divided by the rate, so weighted sums over the sample estimate the full
 * population's without bias, and the logit correction log(rate) of calibrate/ still applies.
 */
import type { VideoTable } from '../data/table.js';
import { takeRows } from '../data/table.js';
import { scanVideoBatches } from '../data/parquet.js';
import { createRng, type Rng } from '../util/rng.js';
import { VigilError } from '../util/errors.js';

export interface SampleOnReadOptions {
  /** Rows decoded at a time (the memory bound of the read). */
  batchRows: number;
  /** Share of negatives kept, in (0, 1]; positives are always kept. */
  negativeKeepRate: number;
  seed: number;
  /** Only rows uploaded in [fromMs, toMs) (week partitions outside it are not opened). */
  window?: { fromMs: number; toMs: number };
  /**
   * Divide each kept negative's weight by the rate (default true), so weighted totals stay exact. A
   * trainer that corrects for the sampling itself (a log-rate shift at calibration) keeps the stored
   * weights instead of undoing the division in float32.
   */
  reweight?: boolean;
}

export interface SampleOnReadStats {
  rowsRead: number;
  rowsKept: number;
  positives: number;
  negativesRead: number;
  negativesKept: number;
  /** Σ weight of the negatives read, and of the kept negatives after reweighting (equal in expectation). */
  negativeWeightRead: number;
  negativeWeightKept: number;
  batches: number;
}

/** Whether negative `videoId` is kept: a uniform draw from the stream keyed by the id. */
export function keepsNegative(root: Rng, videoId: string, rate: number): boolean {
  return rate >= 1 || root.fork(videoId).next() < rate;
}

/**
 * `onChunk` gets the kept rows of each batch and, aligned with them, each row's index in the rows
 * read (the store's row order — parts sorted by path, then row within the file — when no window is
 * given), so a caller can join per-row state such as a split assignment without holding the table.
 */
export async function readSampled(
  path: string, opts: SampleOnReadOptions, onChunk: (chunk: VideoTable, rowIdx: Int32Array) => void | Promise<void>,
): Promise<SampleOnReadStats> {
  if (!(opts.negativeKeepRate > 0 && opts.negativeKeepRate <= 1)) {
    throw new VigilError(`negativeKeepRate: expected a share in (0, 1], got ${opts.negativeKeepRate}`, { field: 'negativeKeepRate' });
  }
  if (!(Number.isInteger(opts.batchRows) && opts.batchRows >= 1)) {
    throw new VigilError(`batchRows: expected a positive integer, got ${opts.batchRows}`, { field: 'batchRows' });
  }
  const root = createRng(opts.seed).fork('negative-sample');
  const s: SampleOnReadStats = { rowsRead: 0, rowsKept: 0, positives: 0, negativesRead: 0, negativesKept: 0, negativeWeightRead: 0, negativeWeightKept: 0, batches: 0 };
  const w = opts.window;
  await scanVideoBatches(path, async (chunk, rowBase) => {
    s.batches++;
    const keep: number[] = [];
    for (let i = 0; i < chunk.n; i++) {
      const t = chunk.uploadTs[i];
      if (w && !(t >= w.fromMs && t < w.toMs)) continue;
      s.rowsRead++;
      if (chunk.harmful[i] === 1) { s.positives++; keep.push(i); continue; }
      s.negativesRead++;
      s.negativeWeightRead += chunk.weight[i];
      if (keepsNegative(root, chunk.videoId[i], opts.negativeKeepRate)) keep.push(i);
    }
    if (keep.length === 0) return;
    const out = keep.length === chunk.n ? chunk : takeRows(chunk, keep);
    const reweight = opts.reweight !== false;
    for (let k = 0; k < out.n; k++) {
      if (out.harmful[k] === 1) continue;
      const reweighted = out.weight[k] / opts.negativeKeepRate;
      if (reweight) out.weight[k] = reweighted;
      s.negativesKept++;
      s.negativeWeightKept += reweight ? out.weight[k] : reweighted;
    }
    s.rowsKept += out.n;
    await onChunk(out, Int32Array.from(keep, (i) => rowBase + i));
  }, { batchSize: opts.batchRows, window: w });
  return s;
}
