import { VigilError } from '../util/errors.js';

/**
 * The uploads the loop replays, one stored row each, columnar. What the operation can observe
 * (time, weight, creator tier, the served score and its severity hint, pooled features) sits next
 * to what only the simulator knows (true label, category, the rater probability q, the platform's
 * reactive removal time). The loop reads the ground-truth columns only to draw reviewer decisions
 * (from q, the simulator's label-noise model) and to compute exact metrics — never to route.
 */
export interface LoopWorld {
  n: number;
  weeks: number;
  /** Start of loop week 0 (epoch ms); week k covers [start + k·week, start + (k+1)·week). */
  startMs: number;
  videoId: string[];
  creatorId: string[];
  week: Int32Array;
  uploadTs: Float64Array;
  /** Virtual uploads this stored row stands for (1/negKeepRate for kept negatives). */
  weight: Float64Array;
  /** Observable creator priority multiplier (new account or prior strikes). */
  creatorTier: Float64Array;
  /** The run's served risk (calibrated probability) through the serving scorer. */
  baseRisk: Float64Array;
  /** Observable severity hint from the served reason codes (which tower fired). */
  severityHint: Float64Array;
  /** Features the light retrain reads: row-major [n, d]; column 0 is the served logit. */
  features: { d: number; X: Float32Array; names: string[] };
  // ground truth (simulator only)
  trueHarmful: Int8Array;
  category: string[];
  /** P(a reviewer says harmful) — the simulator's instance-dependent label noise. */
  q: Float64Array;
  /** The platform's reactive removal time of the upload (user reports), NaN when none. */
  reactiveRemovalTs: Float64Array;
}

/** Rows of week k, in upload-time order. */
export function rowsOfWeek(w: LoopWorld, k: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < w.n; i++) if (w.week[i] === k) rows.push(i);
  return rows.sort((a, b) => w.uploadTs[a] - w.uploadTs[b] || a - b);
}

/** Rows of weeks 0..k: every upload the operation has seen by the end of week k. */
export function rowsUpToWeek(w: LoopWorld, k: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < w.n; i++) if (w.week[i] <= k) rows.push(i);
  return rows;
}

/** Checks the columns agree in length and the values are in range; names the column and row. */
export function validateWorld(w: LoopWorld): void {
  const cols: [string, { length: number }][] = [
    ['videoId', w.videoId], ['creatorId', w.creatorId], ['week', w.week], ['uploadTs', w.uploadTs], ['weight', w.weight],
    ['creatorTier', w.creatorTier], ['baseRisk', w.baseRisk], ['severityHint', w.severityHint], ['trueHarmful', w.trueHarmful],
    ['category', w.category], ['q', w.q], ['reactiveRemovalTs', w.reactiveRemovalTs],
  ];
  for (const [name, c] of cols) if (c.length !== w.n) throw new VigilError(`loop world column '${name}': expected ${w.n} values, got ${c.length}`, { field: name });
  if (w.features.X.length !== w.n * w.features.d) throw new VigilError(`loop world 'features': expected ${w.n}×${w.features.d} values, got ${w.features.X.length}`, { field: 'features' });
  for (let i = 0; i < w.n; i++) {
    if (!(w.week[i] >= 0 && w.week[i] < w.weeks)) throw new VigilError(`loop world 'week' at row ${i}: expected 0..${w.weeks - 1}, got ${w.week[i]}`, { field: 'week', row: i });
    if (!(w.weight[i] > 0)) throw new VigilError(`loop world 'weight' at row ${i}: expected > 0, got ${w.weight[i]}`, { field: 'weight', row: i });
    if (!(w.baseRisk[i] >= 0 && w.baseRisk[i] <= 1)) throw new VigilError(`loop world 'baseRisk' at row ${i}: expected a probability, got ${w.baseRisk[i]}`, { field: 'baseRisk', row: i });
    if (!(w.q[i] >= 0 && w.q[i] <= 1)) throw new VigilError(`loop world 'q' at row ${i}: expected a probability, got ${w.q[i]}`, { field: 'q', row: i });
  }
}
