import { sigmoid } from '../util/sigmoid.js';
import { VigilError } from '../util/errors.js';
import type { LoopWorld } from './world.js';

/**
 * The light retrain: a residual logistic head anchored at the served model,
 * `z = a·served_logit + b + Σ c_j·x̃_j` over the standardised pooled features x̃ (column 0 of the
 * world's features is the served logit). It starts at the served model (a = 1, b = c = 0) and L2
 * pulls it back there (on a − 1 and on c), so a few hundred weekly labels adjust the model rather
 * than replace it: an unanchored refit on labels the queue selected learns the queue's slice and
 * can invert the ranking on everything else.
 */
export interface ResidualHead {
  a: number;
  b: number;
  mean: number[];
  std: number[];
  coef: number[];
}

/**
 * A model the loop can serve: the run's exported model (its scores come from the serving scorer)
 * or a light retrain — a logistic head over the served logit and the run's pooled features, refit
 * on the loop's labels. Each carries its own QUEUE / BLOCK thresholds.
 */
export interface LoopModel {
  id: string;
  kind: 'served' | 'retrained';
  /** Week whose end produced it (−1 for the run's model). */
  trainedAfterWeek: number;
  head: ResidualHead | null;
  queueThreshold: number;
  blockThreshold: number;
  blockEnabled: boolean;
  /** Labels it was fitted on (0 for the run's model). */
  trainLabels: number;
  trainPositives: number;
}

/** Scores (probabilities) of `rows` under `m`. */
export function scoreRows(world: LoopWorld, m: LoopModel, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  if (!m.head) { for (let k = 0; k < rows.length; k++) out[k] = world.baseRisk[rows[k]]; return out; }
  for (let k = 0; k < rows.length; k++) out[k] = sigmoid(headLogit(m.head, world, rows[k]));
  return out;
}

function headLogit(h: ResidualHead, world: LoopWorld, row: number): number {
  const { d, X } = world.features;
  let z = h.a * X[row * d] + h.b;
  for (let j = 1; j < d; j++) z += h.coef[j] * ((X[row * d + j] - h.mean[j]) / h.std[j]);
  return z;
}


/** Fit the residual head on the loop's labels: full-batch Adam, a fixed number of steps (its cost does not grow with the stream). */
export function fitHead(world: LoopWorld, rows: number[], labels: number[], weights: number[], opts: { l2: number; steps: number }): ResidualHead {
  const { d, X } = world.features;
  const n = rows.length;
  if (labels.length !== n || weights.length !== n) throw new VigilError(`'labels': expected ${n} labels and weights, got ${labels.length} and ${weights.length}`, { field: 'labels' });
  const mean = new Array<number>(d).fill(0), std = new Array<number>(d).fill(1);
  let wsum = 0;
  for (let k = 0; k < n; k++) wsum += weights[k];
  for (let j = 1; j < d; j++) {
    let m = 0, s2 = 0;
    for (let k = 0; k < n; k++) { const x = X[rows[k] * d + j]; m += weights[k] * x; s2 += weights[k] * x * x; }
    m /= wsum;
    mean[j] = m;
    const v = s2 / wsum - m * m;
    std[j] = v > 1e-12 ? Math.sqrt(v) : 1;
  }
  const h: ResidualHead = { a: 1, b: 0, mean, std, coef: new Array<number>(d).fill(0) };
  // Parameters: [a, b, c_1..c_{d-1}] in one vector for Adam.
  const P = d + 1;
  const theta = new Float64Array(P); theta[0] = 1;
  const m1 = new Float64Array(P), m2 = new Float64Array(P), g = new Float64Array(P);
  const xs = new Float64Array(d);
  const lr = 0.05;
  for (let step = 1; step <= opts.steps; step++) {
    g.fill(0);
    for (let k = 0; k < n; k++) {
      const o = rows[k] * d;
      let z = theta[0] * X[o] + theta[1];
      for (let j = 1; j < d; j++) { xs[j] = (X[o + j] - mean[j]) / std[j]; z += theta[j + 1] * xs[j]; }
      const e = (sigmoid(z) - labels[k]) * weights[k] / wsum;
      g[0] += e * X[o]; g[1] += e;
      for (let j = 1; j < d; j++) g[j + 1] += e * xs[j];
    }
    g[0] += opts.l2 * (theta[0] - 1);
    for (let j = 2; j < P; j++) g[j] += opts.l2 * theta[j];
    for (let j = 0; j < P; j++) {
      m1[j] = 0.9 * m1[j] + 0.1 * g[j];
      m2[j] = 0.999 * m2[j] + 0.001 * g[j] * g[j];
      theta[j] -= (lr * (m1[j] / (1 - 0.9 ** step))) / (Math.sqrt(m2[j] / (1 - 0.999 ** step)) + 1e-8);
    }
  }
  h.a = theta[0]; h.b = theta[1];
  for (let j = 1; j < d; j++) h.coef[j] = theta[j + 1];
  return h;
}

/**
 * The score threshold that flags `share` of the weighted uploads of `rows` (highest scores first).
 * A retrained head fitted on selected labels is not calibrated to the stream, so its thresholds are
 * set to keep the queue volume the run's policy produced, from scores alone (no labels needed).
 */
export function thresholdForShare(scores: Float64Array, rows: readonly number[], weight: ArrayLike<number>, share: number): number {
  if (share <= 0) return Infinity;
  const idx = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  let total = 0;
  for (const r of rows) total += weight[r];
  let acc = 0;
  for (const k of idx) {
    acc += weight[rows[k]];
    if (acc >= share * total) return scores[k];
  }
  return scores[idx[idx.length - 1]] ?? Infinity;
}

/**
 * QUEUE / BLOCK thresholds for a retrained head that flag the same weighted share of `rows` as
 * `policy` (the run's model and thresholds) flags on those same rows. Matching on every upload seen
 * so far, not on one week at the first week's share: one week holds only a few dozen stored
 * negatives above the threshold, and the first week's share is not the share the policy produces
 * later — set that way, the heads queued 30–50% more than the run's policy on the following weeks.
 */
export function volumeMatchedThresholds(world: LoopWorld, head: LoopModel, policy: LoopModel, rows: readonly number[]): { queueThreshold: number; blockThreshold: number } {
  const ps = scoreRows(world, policy, rows);
  let wAll = 0, wFlag = 0, wBlock = 0;
  rows.forEach((r, t) => {
    const w = world.weight[r];
    wAll += w;
    if (policy.blockEnabled && ps[t] >= policy.blockThreshold) { wBlock += w; wFlag += w; } else if (ps[t] >= policy.queueThreshold) wFlag += w;
  });
  if (!(wAll > 0)) throw new VigilError('volume-matched thresholds: no uploads to match on', { field: 'rows' });
  const hs = scoreRows(world, head, rows);
  return {
    queueThreshold: thresholdForShare(hs, rows, world.weight, wFlag / wAll),
    blockThreshold: head.blockEnabled ? thresholdForShare(hs, rows, world.weight, wBlock / wAll) : 1,
  };
}
