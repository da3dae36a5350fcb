import { fitLogistic, predictLogistic, type LogisticModel } from '../model/baselines/logistic.js';
import type { LoopWorld } from './world.js';

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
  head: LogisticModel | null;
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
  const z = predictLogistic(m.head, subMatrix(world, rows));
  for (let k = 0; k < rows.length; k++) out[k] = 1 / (1 + Math.exp(-z[k]));
  return out;
}

export function subMatrix(world: LoopWorld, rows: readonly number[]) {
  const { d, X, names } = world.features;
  const sub = new Float32Array(rows.length * d);
  for (let k = 0; k < rows.length; k++) sub.set(X.subarray(rows[k] * d, (rows[k] + 1) * d), k * d);
  return { n: rows.length, d, X: sub, names };
}

/** Fit the light retrain on the loop's labels (fixed epochs: its cost does not grow with the stream). */
export function fitHead(world: LoopWorld, rows: number[], labels: number[], weights: number[], opts: { l2: number; epochs: number; seed: number }): LogisticModel {
  return fitLogistic(subMatrix(world, rows), labels, weights, { l2: opts.l2, epochs: opts.epochs, seed: opts.seed, batchSize: 64, learningRate: 0.02 });
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
