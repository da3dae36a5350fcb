import { validateScored } from '../stats/validate.js';
import { VigilError } from '../util/errors.js';

export interface NoiseAudit {
  /** Row indices most likely mislabelled first (only rows confident learning flags). */
  ranked: Int32Array;
  /** Per ranked row: the out-of-fold probability of the class it was NOT labelled as. */
  scores: Float64Array;
  /** Per-class self-confidence thresholds: mean P(label 0) over rows labelled 0, mean P(1) over rows labelled 1. */
  thresholds: { t0: number; t1: number };
  /** Flagged counts by observed label (labelled 0 but confidently 1, and the reverse). */
  flagged: { labelled0_looks1: number; labelled1_looks0: number };
}

/**
 * Confident-learning ranking of likely label errors (binary). With out-of-fold probabilities p of
 * class 1, the per-class threshold is the class's mean self-confidence; a row labelled y is flagged
 * when the probability of the other class reaches that class's threshold (it is "confidently" the
 * other class). Flagged rows are ranked by that other-class probability, highest first.
 * `weights` (optional) weight the threshold means, e.g. to undo negative downsampling.
 */
export function rankLikelyMislabelled(
  oofProb: ArrayLike<number>, observed: ArrayLike<number>, weights?: ArrayLike<number>,
): NoiseAudit {
  const n = oofProb.length;
  const w = weights ?? new Float64Array(n).fill(1);
  validateScored(oofProb, observed, w);
  let s0 = 0, w0 = 0, s1 = 0, w1 = 0;
  for (let i = 0; i < n; i++) {
    const p = oofProb[i];
    if (p < 0 || p > 1) throw new VigilError(`'oofProb' at row ${i}: expected a probability in [0, 1], got ${p}`, { field: 'oofProb', row: i });
    if (observed[i] === 1) { s1 += w[i] * p; w1 += w[i]; } else { s0 += w[i] * (1 - p); w0 += w[i]; }
  }
  // Without a class there is no threshold for it; nothing can be flagged as that class.
  const t1 = w1 > 0 ? s1 / w1 : Infinity, t0 = w0 > 0 ? s0 / w0 : Infinity;
  const rows: number[] = [];
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    const p = oofProb[i];
    if (observed[i] === 0 && p >= t1) { rows.push(i); a++; }
    else if (observed[i] === 1 && 1 - p >= t0) { rows.push(i); b++; }
  }
  const other = (i: number) => (observed[i] === 1 ? 1 - oofProb[i] : oofProb[i]);
  rows.sort((x, y) => other(y) - other(x) || x - y);
  return {
    ranked: Int32Array.from(rows),
    scores: Float64Array.from(rows, other),
    thresholds: { t0, t1 },
    flagged: { labelled0_looks1: a, labelled1_looks0: b },
  };
}

/** How many of the top k ranked rows really were mislabelled (observed ≠ true), vs the base rate. */
export function auditAgainstTruth(
  ranked: ArrayLike<number>, trueLabels: ArrayLike<number>, observed: ArrayLike<number>, k: number,
): { k: number; mislabelled: number; precision: number | null; base_rate: number | null; lift: number | null } {
  if (trueLabels.length !== observed.length) {
    throw new VigilError(`'trueLabels': length ${trueLabels.length} differs from 'observed' length ${observed.length}`, { field: 'trueLabels' });
  }
  const kk = Math.min(k, ranked.length);
  let hit = 0;
  for (let j = 0; j < kk; j++) {
    const i = ranked[j];
    if (i < 0 || i >= observed.length) throw new VigilError(`'ranked' at ${j}: row ${i} is out of range`, { field: 'ranked', row: j });
    if (trueLabels[i] !== observed[i]) hit++;
  }
  let noisy = 0;
  for (let i = 0; i < observed.length; i++) if (trueLabels[i] !== observed[i]) noisy++;
  const base = observed.length > 0 ? noisy / observed.length : null;
  const precision = kk > 0 ? hit / kk : null;
  return { k: kk, mislabelled: hit, precision, base_rate: base, lift: precision !== null && base ? precision / base : null };
}

/** The top `k` of an audit as a re-review list for the report: which upload, its label and why. */
export function reviewList(
  audit: NoiseAudit, videoIds: ArrayLike<string>, oofProb: ArrayLike<number>, observed: ArrayLike<number>, k: number,
): { video_id: string; observed: number; oof_p: number; other_class_p: number }[] {
  const out = [];
  for (let j = 0; j < Math.min(k, audit.ranked.length); j++) {
    const i = audit.ranked[j];
    out.push({ video_id: videoIds[i], observed: observed[i], oof_p: oofProb[i], other_class_p: audit.scores[j] });
  }
  return out;
}
