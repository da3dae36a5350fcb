import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { Scorer, ScoreResponse } from './scorer.js';
import { parseJson, parseVideo, type ParsedVideo } from './request.js';

/**
 * Offline scoring (`vigil score`): one request per input line, one output line per input line in the
 * same order — a response, or `{ line, video_id?, error, field }` for a line that fails validation
 * (the run continues). Valid lines are scored in batches.
 */
export interface JsonlSummary { lines: number; scored: number; errors: number; actions: Record<string, number>; ms: number }

export type JsonlRecord = ScoreResponse | { line: number; video_id?: string; error: string; field: string };

export async function scoreJsonl(
  scorer: Scorer, inPath: string, write: (line: string) => void | Promise<void>, opts: { batchSize?: number } = {},
): Promise<JsonlSummary> {
  const batchSize = opts.batchSize ?? 64;
  const t0 = performance.now();
  const summary: JsonlSummary = { lines: 0, scored: 0, errors: 0, actions: { ALLOW: 0, QUEUE: 0, BLOCK: 0 }, ms: 0 };
  let pending: ({ video: ParsedVideo } | { error: JsonlRecord })[] = [];
  const flush = async () => {
    const videos = pending.flatMap((p) => ('video' in p ? [p.video] : []));
    const scored = videos.length > 0 ? await scorer.scoreVideos(videos) : [];
    let k = 0;
    for (const p of pending) {
      const rec: JsonlRecord = 'video' in p ? scored[k++] : p.error;
      if ('action' in rec) { summary.scored++; summary.actions[rec.action]++; } else summary.errors++;
      await write(JSON.stringify(rec));
    }
    pending = [];
  };
  const rl = createInterface({ input: createReadStream(inPath, 'utf8'), crlfDelay: Infinity });
  for await (const text of rl) {
    if (text.trim() === '') continue;
    const line = ++summary.lines;
    const j = parseJson(text);
    if (!j.ok) { pending.push({ error: { line, error: j.error.message, field: j.error.field } }); }
    else {
      const v = parseVideo(j.value, scorer.limits);
      if (v.ok) pending.push({ video: v.value });
      else {
        const id = (j.value as { video_id?: unknown })?.video_id;
        pending.push({ error: { line, ...(typeof id === 'string' ? { video_id: id } : {}), error: v.error.message, field: v.error.field } });
      }
    }
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}
