import type { VideoTable } from '../data/table.js';
import { loadRunFolder } from '../serve/runFolder.js';
import { loadFittedPreprocessor } from '../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../serve/knownContent.js';
import { tableRowToVideo } from '../serve/request.js';

/**
 * Risk scores for every row of `t` from the run folder's serving bundle, through the scorer
 * `vigil serve` uses (so monitoring sees what production would have scored).
 */
export async function scoreTableWithRun(runDir: string, t: VideoTable, opts: { batch?: number; threads?: number } = {}): Promise<Float64Array> {
  const batch = opts.batch ?? 256;
  const { scorer } = await loadRunFolder(runDir, { threads: opts.threads ?? 1, loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
  const out = new Float64Array(t.n);
  try {
    for (let s = 0; s < t.n; s += batch) {
      const videos = [];
      for (let i = s; i < Math.min(t.n, s + batch); i++) videos.push(tableRowToVideo(t, i));
      const res = await scorer.scoreVideos(videos);
      res.forEach((r, k) => { out[s + k] = r.risk_score; });
    }
  } finally {
    await scorer.close();
  }
  return out;
}
