import { performance } from 'node:perf_hooks';
import { scanVideoBatches } from '../data/parquet.js';
import type { Scorer, ScoreResponse } from './scorer.js';
import { parseVideo } from './request.js';
import { orderedBatches, type ScoringCounts } from './orderedBatches.js';
import { requestFromTable } from './requestFromTable.js';

/**
 * Batch scoring of a feature store (`vigil score --dataset`): the store is read one decoded row group
 * at a time and every row goes through exactly what a `/v1/score` request goes through — the row is
 * turned into a request, validated against the served model's limits, then scored — so memory is one
 * decoded batch plus one scoring batch, whatever the store's size. One output record per stored row,
 * in store order: the response, or `{ row, video_id, error, field }` for a row the request validation
 * refuses (the run continues).
 */
export interface StoreScoreSummary extends ScoringCounts { rows: number; ms: number; maxChunkRows: number }

export type StoreRecord = ScoreResponse | { row: number; video_id: string; error: string; field: string };

export async function scoreStore(
  scorer: Scorer, store: string, write: (line: string) => void | Promise<void>, opts: { batchSize?: number; batchRows?: number } = {},
): Promise<StoreScoreSummary> {
  const batchSize = opts.batchSize ?? 64;
  const t0 = performance.now();
  const summary: StoreScoreSummary = { rows: 0, scored: 0, errors: 0, actions: { ALLOW: 0, QUEUE: 0, BLOCK: 0 }, ms: 0, maxChunkRows: 0 };
  const out = orderedBatches<Exclude<StoreRecord, ScoreResponse>>(scorer, write, batchSize, summary);
  await scanVideoBatches(store, async (chunk, rowBase) => {
    summary.maxChunkRows = Math.max(summary.maxChunkRows, chunk.n);
    for (let i = 0; i < chunk.n; i++) {
      summary.rows++;
      const v = parseVideo(requestFromTable(chunk, i), scorer.limits);
      await out.push(v.ok ? { video: v.value } : { error: { row: rowBase + i, video_id: chunk.videoId[i], error: v.error.message, field: v.error.field } });
    }
  }, { batchSize: opts.batchRows ?? 8192, requireLabels: false });
  await out.flush();
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}
