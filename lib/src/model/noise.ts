import type { TruthTable, VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { pooledFeatures } from '../features/pooled.js';
import { TRAIN, type SplitAssignment } from '../split/types.js';
import { createRng } from '../util/rng.js';
import { VigilError } from '../util/errors.js';
import { fitLogistic, predictLogistic } from './baselines/logistic.js';
import type { ResolvedTrainConfig } from './recipe.js';
import { sigmoid } from '../util/sigmoid.js';

/**
 * Confident-learning style label-noise filtering. Every training row gets an out-of-fold probability
 * from a cheap model (logistic regression on pooled features) fitted on the other folds. Per-class
 * thresholds are the mean self-confidence of each observed class (t1 = mean p over observed
 * positives, t0 = mean 1−p over observed negatives), which adapts to the model's bias under heavy
 * imbalance. A negative with p >= t1, or a positive with 1−p >= t0, is a suspect; suspects are ranked
 * by how far past the threshold they are; at most `noiseMaxFraction` × (observed positives) rows of
 * each class are flagged.
 */
export interface Suspect {
  row: number;
  videoId: string;
  observed: 0 | 1;
  /** Out-of-fold probability of harmful. */
  oofP: number;
  /** Distance past the class threshold (larger = more confidently mislabelled). */
  margin: number;
}

export interface NoiseResult {
  method: 'confident_learning';
  action: 'drop' | 'downweight';
  thresholds: { t0: number; t1: number };
  /** Ranked, most suspicious first (the re-review list). */
  suspects: Suspect[];
  /** Per table row: multiplier applied to the training loss weight (1 for unflagged rows, 0 off train). */
  trainWeight: Float32Array;
  /** Per table row out-of-fold probability (NaN off train). */
  oofP: Float32Array;
  folds: number;
}

/** Fold of a training row: the split's CV fold, or (no fold assigned) its leakage group modulo K. */
function foldsOf(split: SplitAssignment, rows: number[]): { fold: Int32Array; K: number } {
  let K = 0;
  for (const r of rows) K = Math.max(K, split.fold[r] + 1);
  if (K < 2) K = 4;
  const fold = new Int32Array(split.split.length).fill(-1);
  for (const r of rows) fold[r] = split.fold[r] >= 0 ? split.fold[r] : split.groupId[r] % K;
  return { fold, K };
}

export function confidentLearning(table: VideoTable, split: SplitAssignment, fitted: FittedPreprocessor, cfg: ResolvedTrainConfig): NoiseResult {
  const rows: number[] = [];
  for (let i = 0; i < table.n; i++) if (split.split[i] === TRAIN) rows.push(i);
  const { fold, K } = foldsOf(split, rows);
  const pos = rows.filter((r) => table.harmful[r] === 1).length;
  const neg = rows.length - pos;
  if (pos === 0 || neg === 0) throw new VigilError("'harmful': label-noise filtering needs both classes in the training rows", { field: 'harmful' });
  // The cheap model sees every positive and a seeded sample of negatives (bounded cost).
  const q = Math.min(1, Math.max(10 * pos, 4000) / neg);
  const rng = createRng(cfg.seed).fork('noise');
  const fitRows = rows.filter((r) => table.harmful[r] === 1 || rng.next() < q);
  const Xfit = pooledFeatures(fitted, table, fitRows);
  const oofP = new Float32Array(table.n).fill(NaN);
  for (let k = 0; k < K; k++) {
    const inFit = fitRows.map((r, i) => (fold[r] !== k ? i : -1)).filter((i) => i >= 0);
    const target = rows.filter((r) => fold[r] === k);
    if (inFit.length === 0 || target.length === 0) continue;
    const sub = { n: inFit.length, d: Xfit.d, names: Xfit.names, X: new Float32Array(inFit.length * Xfit.d) };
    inFit.forEach((i, j) => sub.X.set(Xfit.X.subarray(i * Xfit.d, (i + 1) * Xfit.d), j * Xfit.d));
    const y = inFit.map((i) => table.harmful[fitRows[i]]);
    const w = inFit.map((i) => (table.harmful[fitRows[i]] === 1 ? cfg.positiveWeight : 1));
    const model = fitLogistic(sub, y, w, { seed: cfg.seed + k });
    for (let s = 0; s < target.length; s += 4096) {
      const part = target.slice(s, s + 4096);
      const z = predictLogistic(model, pooledFeatures(fitted, table, part));
      part.forEach((r, j) => { oofP[r] = sigmoid(z[j]); });
    }
  }
  let s1 = 0, n1 = 0, s0 = 0, n0 = 0;
  for (const r of rows) {
    if (Number.isNaN(oofP[r])) continue;
    if (table.harmful[r] === 1) { s1 += oofP[r]; n1++; } else { s0 += 1 - oofP[r]; n0++; }
  }
  const t1 = n1 > 0 ? s1 / n1 : 1, t0 = n0 > 0 ? s0 / n0 : 1;
  const cand: Suspect[][] = [[], []];
  for (const r of rows) {
    const p = oofP[r];
    if (Number.isNaN(p)) continue;
    const obs = table.harmful[r] === 1 ? 1 : 0;
    const margin = obs === 0 ? p - t1 : (1 - p) - t0;
    if (margin >= 0) cand[obs].push({ row: r, videoId: table.videoId[r], observed: obs, oofP: p, margin });
  }
  // Both caps scale with the observed positives: under extreme imbalance the hidden positives among
  // the negatives cannot plausibly outnumber a fraction of the observed ones, while a weak cheap
  // model puts thousands of negatives above t1.
  const caps = [Math.floor(cfg.noiseMaxFraction * pos), Math.floor(cfg.noiseMaxFraction * pos)];
  const suspects = cand.flatMap((c, obs) => c.sort((a, b) => b.margin - a.margin || a.row - b.row).slice(0, caps[obs]))
    .sort((a, b) => b.margin - a.margin || a.row - b.row);
  const trainWeight = new Float32Array(table.n);
  for (const r of rows) trainWeight[r] = 1;
  const flaggedWeight = cfg.noiseAction === 'drop' ? 0 : cfg.noiseWeight;
  for (const s of suspects) trainWeight[s.row] = flaggedWeight;
  return { method: 'confident_learning', action: cfg.noiseAction, thresholds: { t0, t1 }, suspects, trainWeight, oofP, folds: K };
}

/** How well the flags match the simulator's truth (never available to training itself). */
export interface NoiseAudit {
  trainRows: number;
  /** Training rows whose observed label differs from the true label. */
  mislabelled: number;
  flagged: number;
  /** Fraction of flagged rows that really are mislabelled. */
  precision: number;
  /** Fraction of mislabelled training rows that were flagged. */
  recall: number;
  byObserved: { observed: 0 | 1; mislabelled: number; flagged: number; truePositives: number }[];
}

export function auditNoise(result: NoiseResult, table: VideoTable, split: SplitAssignment, truth: TruthTable): NoiseAudit {
  const trueOf = new Map<string, number>();
  for (let i = 0; i < truth.n; i++) trueOf.set(truth.videoId[i], truth.trueHarmful[i]);
  const flagged = new Set(result.suspects.map((s) => s.row));
  const by = [0, 1].map((o) => ({ observed: o as 0 | 1, mislabelled: 0, flagged: 0, truePositives: 0 }));
  let trainRows = 0;
  for (let r = 0; r < table.n; r++) {
    if (split.split[r] !== TRAIN) continue;
    trainRows++;
    const t = trueOf.get(table.videoId[r]);
    if (t === undefined) throw new VigilError(`'truth.video_id': no truth row for video '${table.videoId[r]}'`, { field: 'truth.video_id', row: r });
    const obs = table.harmful[r] === 1 ? 1 : 0;
    const wrong = t !== obs;
    if (wrong) by[obs].mislabelled++;
    if (flagged.has(r)) { by[obs].flagged++; if (wrong) by[obs].truePositives++; }
  }
  const mis = by[0].mislabelled + by[1].mislabelled;
  const fl = by[0].flagged + by[1].flagged;
  const tp = by[0].truePositives + by[1].truePositives;
  return { trainRows, mislabelled: mis, flagged: fl, precision: fl > 0 ? tp / fl : NaN, recall: mis > 0 ? tp / mis : NaN, byObserved: by };
}
