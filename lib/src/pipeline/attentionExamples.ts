/**
 * Frame attention of the exported network for the highest-risk harmful test videos: the evidence a
 * VISUAL_HIGH reason code cites. Computed with the test evaluation, so the report only draws it.
 */
import type { VideoTable } from '../data/table.js';
import { frameCount } from '../data/table.js';
import { transform } from '../features/preprocess.js';
import { predictFusion } from '../model/predict.js';
import type { FittedPipeline } from './fit.js';

export interface AttentionExample {
  videoId: string;
  /** Calibrated risk on the test weeks. */
  risk: number;
  frames: number;
  /** Attention weight per frame (1 FPS), `frames` long. */
  weights: number[];
}

/** Videos with fewer frames show no pattern; longer ones do not fit a readable strip. */
const MIN_FRAMES = 8, MAX_FRAMES = 120;

export function attentionExamples(table: VideoTable, fit: Pick<FittedPipeline, 'exported' | 'fitted' | 'rows' | 'scores'>, count = 3): AttentionExample[] {
  const weights = fit.exported.weights;
  // A single-tower export without the visual tower has no frame attention to show.
  if (!weights.config.towers.includes('visual')) return [];
  const testP = fit.scores.test.p;
  return fit.rows.test
    .map((r, k) => ({ r, p: testP[k] }))
    .filter(({ r }) => table.harmful[r] === 1 && frameCount(table, r) >= MIN_FRAMES && frameCount(table, r) <= MAX_FRAMES)
    .sort((x, y) => y.p - x.p)
    .slice(0, count)
    .map(({ r, p }) => {
      const frames = frameCount(table, r);
      const out = predictFusion(weights, transform(fit.fitted, table, [r]));
      return { videoId: table.videoId[r], risk: p, frames, weights: Array.from(out.frameAttention.subarray(0, frames)) };
    });
}
