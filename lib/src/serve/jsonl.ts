import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Scorer, ScoreResponse } from './scorer.js';
import { parseVideo } from './request.js';
import { orderedBatches, type ScoringCounts } from './orderedBatches.js';
import { parseJsonBytes } from './jsonBytes.js';

/**
 * Offline scoring (`vigil score`): one request per input line, one output line per input line in the
 * same order — a response, or `{ line, video_id?, error, field }` for a line that fails validation
 * (the run continues). Blank lines are input lines too (an error record, never dropped), `line` is
 * the 1-based physical line number, and lines are read as bytes so invalid UTF-8 is refused rather
 * than silently replaced. Valid lines are scored in batches.
 */
export interface JsonlSummary extends ScoringCounts { lines: number; ms: number }

export type JsonlRecord = ScoreResponse | { line: number; video_id?: string; error: string; field: string };

/** Physical lines of a file as bytes (LF or CRLF); a final line without a newline counts, an empty tail does not. */
export async function* readLines(path: string): AsyncGenerator<Buffer> {
  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      yield buf.subarray(start, end);
      start = nl + 1;
    }
    buf = buf.subarray(start);
    carry = buf.length > 0 ? Buffer.from(buf) : null;
  }
  if (carry) yield carry[carry.length - 1] === 13 ? carry.subarray(0, carry.length - 1) : carry;
}

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 32 && b[i] !== 9 && b[i] !== 13 && b[i] !== 11 && b[i] !== 12) return false;
  return true;
}

export async function scoreJsonl(
  scorer: Scorer, inPath: string, write: (line: string) => void | Promise<void>, opts: { batchSize?: number } = {},
): Promise<JsonlSummary> {
  const batchSize = opts.batchSize ?? 64;
  const t0 = performance.now();
  const summary: JsonlSummary = { lines: 0, scored: 0, errors: 0, actions: { ALLOW: 0, QUEUE: 0, BLOCK: 0 }, ms: 0 };
  const out = orderedBatches<Exclude<JsonlRecord, ScoreResponse>>(scorer, write, batchSize, summary);
  for await (const bytes of readLines(inPath)) {
    const line = ++summary.lines;
    if (isBlank(bytes)) {
      await out.push({ error: { line, error: `line ${line} is blank; expected one JSON video per line`, field: 'line' } });
      continue;
    }
    const j = parseJsonBytes(bytes);
    if (!j.ok) { await out.push({ error: { line, error: j.error.message, field: j.error.field } }); continue; }
    const v = parseVideo(j.value, scorer.limits);
    if (v.ok) await out.push({ video: v.value });
    else {
      const id = (j.value as { video_id?: unknown })?.video_id;
      await out.push({ error: { line, ...(typeof id === 'string' ? { video_id: id.slice(0, 256) } : {}), error: v.error.message, field: v.error.field } });
    }
  }
  await out.flush();
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}
