import { readFileSync } from 'node:fs';
import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';

/**
 * Read scores for the table's rows from what `vigil score` writes (JSONL of { video_id, risk_score })
 * or a JSON array of the same objects. Every row must have a score: a missing one would look like
 * drift in the score's missing bin.
 */
export function readScoresFile(path: string, t: VideoTable): Float64Array {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new VigilError(`--scores '${path}': ${(e as Error).message}`, { field: 'scores' });
  }
  const trimmed = text.trim();
  let items: unknown[];
  if (trimmed.startsWith('[')) {
    try { items = JSON.parse(trimmed); } catch (e) { throw new VigilError(`--scores '${path}': not valid JSON (${(e as Error).message})`, { field: 'scores' }); }
  } else {
    items = trimmed.split('\n').filter((l) => l.trim()).map((l, k) => {
      try { return JSON.parse(l); } catch { throw new VigilError(`--scores '${path}' line ${k + 1}: not valid JSON`, { field: 'scores', row: k + 1 }); }
    });
  }
  const byId = new Map<string, number>();
  items.forEach((it, k) => {
    const o = it as { video_id?: unknown; risk_score?: unknown };
    if (typeof o?.video_id !== 'string' || typeof o.risk_score !== 'number' || !Number.isFinite(o.risk_score)) {
      throw new VigilError(`--scores '${path}' entry ${k + 1}: expected { video_id: string, risk_score: number }`, { field: 'risk_score', row: k + 1 });
    }
    byId.set(o.video_id, o.risk_score);
  });
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const s = byId.get(t.videoId[i]);
    if (s === undefined) throw new VigilError(`--scores '${path}': no score for video_id '${t.videoId[i]}' (row ${i})`, { field: 'video_id', row: i });
    out[i] = s;
  }
  return out;
}
