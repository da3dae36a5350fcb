import type { Curve, Prepared } from './curves.js';

/**
 * Weighted ranking and calibration metrics. Threshold metrics read a `Curve` (cumulative weighted
 * counts per distinct score), calibration metrics read the sorted `Prepared` rows with optional
 * per-group multipliers, so the same functions serve the point estimate and every bootstrap resample.
 * A metric that is undefined on the data (e.g. AP without positives) returns NaN; report code turns
 * that into null.
 */

/** A threshold-based metric value together with the threshold that produced it. */
export interface AtThreshold { value: number; threshold: number }

/**
 * Average precision, scikit-learn's step-wise definition: Σ_k (R_k − R_{k−1}) · P_k over distinct
 * thresholds from the highest down (no interpolation).
 */
export function averagePrecision(c: Curve): number {
  if (!(c.P > 0)) return NaN;
  let ap = 0, prevR = 0;
  for (let k = 0; k < c.tp.length; k++) {
    const r = c.tp[k] / c.P;
    const v = c.tp[k] + c.fp[k];
    if (r > prevR) ap += (r - prevR) * (v > 0 ? c.tp[k] / v : 1);
    prevR = r;
  }
  return ap;
}

/** ROC-AUC by the trapezoid rule over distinct thresholds: a tied positive/negative pair counts 1/2. */
export function rocAuc(c: Curve): number {
  if (!(c.P > 0) || !(c.N > 0)) return NaN;
  let area = 0, x0 = 0, y0 = 0;
  for (let k = 0; k < c.tp.length; k++) {
    const x1 = c.fp[k] / c.N, y1 = c.tp[k] / c.P;
    area += (x1 - x0) * (y0 + y1) / 2;
    x0 = x1; y0 = y1;
  }
  return area;
}

/**
 * Partial ROC area for FPR in [0, maxFpr] with linear interpolation at maxFpr (as scikit-learn).
 * `raw` is the area itself (at most maxFpr); `mcclish` is McClish's standardisation
 * ½·(1 + (raw − maxFpr²/2)/(maxFpr − maxFpr²/2)), which maps a random ranking to 0.5 and a perfect one
 * to 1 — the number scikit-learn's `roc_auc_score(max_fpr=…)` returns.
 */
export function partialAuc(c: Curve, maxFpr: number): { raw: number; mcclish: number } {
  if (!(c.P > 0) || !(c.N > 0)) return { raw: NaN, mcclish: NaN };
  let area = 0, x0 = 0, y0 = 0;
  for (let k = 0; k < c.tp.length; k++) {
    const x1 = c.fp[k] / c.N, y1 = c.tp[k] / c.P;
    if (x1 <= maxFpr) {
      area += (x1 - x0) * (y0 + y1) / 2;
    } else {
      if (x0 < maxFpr) {
        const yAt = y0 + (y1 - y0) * (maxFpr - x0) / (x1 - x0);
        area += (maxFpr - x0) * (y0 + yAt) / 2;
      }
      break;
    }
    x0 = x1; y0 = y1;
  }
  const minArea = 0.5 * maxFpr * maxFpr;
  return { raw: area, mcclish: 0.5 * (1 + (area - minArea) / (maxFpr - minArea)) };
}

// Float sums of weights can overshoot an exact target by rounding; compare with this slack.
const EPS = 1e-12;

/**
 * Highest recall among thresholds whose weighted FPR is ≤ target (no interpolation between
 * thresholds, so the operating point is achievable). Threshold +∞ (flag nothing) when none qualifies.
 */
export function recallAtFpr(c: Curve, target: number): AtThreshold {
  if (!(c.P > 0) || !(c.N > 0)) return { value: NaN, threshold: NaN };
  let best = 0, thr = Infinity;
  for (let k = 0; k < c.tp.length; k++) {
    if (c.fp[k] / c.N > target + EPS) break;
    const r = c.tp[k] / c.P;
    if (r >= best) { best = r; thr = c.thresholds[k]; }
  }
  return { value: best, threshold: thr };
}

/**
 * Precision among the top `share` of uploads by weighted volume: exactly share·(P+N) weight is
 * taken from the top; when the cut falls inside a run of tied scores that run contributes pro rata
 * (the expected precision under random tie-breaking). `threshold` is the score at the cut.
 */
export function precisionAtTop(c: Curve, share: number): AtThreshold {
  const W = c.P + c.N;
  const V = share * W;
  if (!(V > 0)) return { value: NaN, threshold: NaN };
  let prevV = 0, prevTp = 0;
  for (let k = 0; k < c.tp.length; k++) {
    const v = c.tp[k] + c.fp[k];
    if (v >= V * (1 - EPS)) {
      const frac = v > prevV ? Math.min(1, (V - prevV) / (v - prevV)) : 1;
      return { value: (prevTp + frac * (c.tp[k] - prevTp)) / V, threshold: c.thresholds[k] };
    }
    prevV = v; prevTp = c.tp[k];
  }
  return { value: c.P / W, threshold: c.thresholds[c.thresholds.length - 1] };
}

/** F-beta at the threshold that maximises it (β = 2 weighs recall 4× precision). */
export function bestFBeta(c: Curve, beta = 2): AtThreshold & { precision: number; recall: number } {
  if (!(c.P > 0)) return { value: NaN, threshold: NaN, precision: NaN, recall: NaN };
  const b2 = beta * beta;
  let best = { value: 0, threshold: Infinity, precision: 1, recall: 0 };
  for (let k = 0; k < c.tp.length; k++) {
    const v = c.tp[k] + c.fp[k];
    if (!(v > 0)) continue;
    const p = c.tp[k] / v, r = c.tp[k] / c.P;
    const f = p + r > 0 ? (1 + b2) * p * r / (b2 * p + r) : 0;
    if (f > best.value) best = { value: f, threshold: c.thresholds[k], precision: p, recall: r };
  }
  return best;
}

/** One equal-mass bin: weighted mean prediction vs weighted observed rate. */
export interface MassBin {
  lo: number; hi: number;
  weight: number; weight2: number; rows: number;
  meanPred: number; observed: number;
}

/**
 * Equal-mass bins over the scores in ascending order: a row goes to bin ⌊B · (mass before it + half
 * its own) / total⌋, so each bin holds about 1/B of the weighted volume. Rows with zero (multiplied)
 * weight are skipped. At a 0.35% positive rate equal-width bins would put nearly everything in the
 * first bin; equal mass keeps every bin populated.
 */
export function equalMassBins(p: Prepared, bins: number, groupMult?: Float64Array | null, totalWeight?: number): MassBin[] {
  const { posW, negW, group, score } = p;
  let W = totalWeight ?? NaN;
  if (!Number.isFinite(W)) {
    W = 0;
    for (let k = 0; k < p.n; k++) W += (posW[k] + negW[k]) * (groupMult ? groupMult[group[k]] : 1);
  }
  const out: MassBin[] = [];
  if (!(W > 0)) return out;
  // Flat typed accumulators: this runs once per bootstrap resample.
  const lo = new Float64Array(bins).fill(Infinity), hi = new Float64Array(bins).fill(-Infinity);
  const sw = new Float64Array(bins), sw2 = new Float64Array(bins), rows = new Int32Array(bins);
  const sp = new Float64Array(bins), sy = new Float64Array(bins);
  const scale = bins / W;
  let before = 0;
  for (let k = p.n - 1; k >= 0; k--) {
    const wp = posW[k], wn = negW[k];
    if (wp + wn === 0) continue;
    const m = groupMult ? groupMult[group[k]] : 1;
    if (m === 0) continue;
    const w = (wp + wn) * m;
    let b = Math.floor((before + w / 2) * scale);
    if (b >= bins) b = bins - 1;
    before += w;
    const s = score[k];
    if (s < lo[b]) lo[b] = s;
    if (s > hi[b]) hi[b] = s;
    sw[b] += w; sw2[b] += w * w; rows[b]++; sp[b] += w * s;
    if (wp > 0) sy[b] += w;
  }
  for (let b = 0; b < bins; b++) {
    if (sw[b] > 0) out.push({ lo: lo[b], hi: hi[b], weight: sw[b], weight2: sw2[b], rows: rows[b], meanPred: sp[b] / sw[b], observed: sy[b] / sw[b] });
  }
  return out;
}

/** Expected calibration error with equal-mass bins: Σ_b (W_b/W)·|mean prediction_b − observed rate_b|. */
export function ece(p: Prepared, bins = 15, groupMult?: Float64Array | null, totalWeight?: number): number {
  const bs = equalMassBins(p, bins, groupMult, totalWeight);
  let W = 0, e = 0;
  for (const b of bs) { W += b.weight; e += b.weight * Math.abs(b.meanPred - b.observed); }
  return W > 0 ? e / W : NaN;
}

/** Weighted Brier score Σ w (p − y)² / Σ w. */
export function brier(p: Prepared, groupMult?: Float64Array | null): number {
  let W = 0, s = 0;
  for (let k = 0; k < p.n; k++) {
    const m = groupMult ? groupMult[p.group[k]] : 1;
    const wp = p.posW[k] * m, wn = p.negW[k] * m, q = p.score[k];
    s += wp * (1 - q) * (1 - q) + wn * q * q;
    W += wp + wn;
  }
  return W > 0 ? s / W : NaN;
}

/** Probabilities are clipped to [1e-15, 1 − 1e-15] (as scikit-learn) so one confident miss is finite. */
export const LOGLOSS_CLIP = 1e-15;

// −log q and −log(1 − q) per sorted row never change between bootstrap resamples: compute once.
const logTerms = new WeakMap<Prepared, { pos: Float64Array; neg: Float64Array }>();
function logTermsOf(p: Prepared) {
  let t = logTerms.get(p);
  if (!t) {
    const pos = new Float64Array(p.n), neg = new Float64Array(p.n);
    for (let k = 0; k < p.n; k++) {
      const q = Math.min(1 - LOGLOSS_CLIP, Math.max(LOGLOSS_CLIP, p.score[k]));
      pos[k] = -Math.log(q); neg[k] = -Math.log(1 - q);
    }
    t = { pos, neg };
    logTerms.set(p, t);
  }
  return t;
}

/** Weighted log-loss (natural log). */
export function logLoss(p: Prepared, groupMult?: Float64Array | null): number {
  const t = logTermsOf(p);
  let W = 0, s = 0;
  for (let k = 0; k < p.n; k++) {
    const m = groupMult ? groupMult[p.group[k]] : 1;
    const wp = p.posW[k] * m, wn = p.negW[k] * m;
    s += wp * t.pos[k] + wn * t.neg[k];
    W += wp + wn;
  }
  return W > 0 ? s / W : NaN;
}
