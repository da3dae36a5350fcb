import type { Scorer, ScoreResponse } from './scorer.js';
import type { ParsedVideo } from './request.js';

/** Counts of an offline scoring pass. */
export interface ScoringCounts { scored: number; errors: number; actions: Record<string, number> }

/**
 * Offline scoring's output discipline (`vigil score` over JSONL or a store): one record per input
 * item, in input order — the response of a valid item, or its error record — with valid items
 * scored in batches of `batchSize`. `push` queues an item and scores a full batch; `flush` scores
 * and writes the rest.
 */
export function orderedBatches<E extends object>(scorer: Scorer, write: (line: string) => void | Promise<void>, batchSize: number, counts: ScoringCounts) {
  let pending: ({ video: ParsedVideo } | { error: E })[] = [];
  const flush = async (): Promise<void> => {
    const videos = pending.flatMap((p) => ('video' in p ? [p.video] : []));
    const scored = videos.length > 0 ? await scorer.scoreVideos(videos) : [];
    let k = 0;
    for (const p of pending) {
      const rec: ScoreResponse | E = 'video' in p ? scored[k++] : p.error;
      if ('video' in p) { counts.scored++; counts.actions[(rec as ScoreResponse).action]++; } else counts.errors++;
      await write(JSON.stringify(rec));
    }
    pending = [];
  };
  const push = async (item: { video: ParsedVideo } | { error: E }): Promise<void> => {
    pending.push(item);
    if (pending.length >= batchSize) await flush();
  };
  return { push, flush };
}
