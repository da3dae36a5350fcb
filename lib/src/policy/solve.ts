import type { Curve } from '../stats/curves.js';
import type { PolicyConfig, PolicyConstraint } from './config.js';

/**
 * The ALLOW/QUEUE/BLOCK choice as indices into a curve's distinct thresholds (descending scores):
 * flagged (QUEUE ∪ BLOCK) = runs 0..q, BLOCK = runs 0..b, b ≤ q; −1 means the empty set.
 */
export interface PolicySolution {
  q: number;
  b: number;
  /** How far each threshold constraint is missed (0 = met), in its own units. */
  violation: Record<PolicyConstraint, number>;
}

// Weighted sums can miss an exact target by rounding; shortfalls below this count as met.
const TOL = 1e-12;

/** Per-threshold rates of a curve, with index −1 (nothing flagged) handled by the accessors. */
export class CurveView {
  readonly K: number;
  private readonly W: number;
  constructor(readonly c: Curve) { this.K = c.tp.length; this.W = c.P + c.N; }
  vol(k: number): number { return k < 0 ? 0 : (this.c.tp[k] + this.c.fp[k]) / this.W; }
  recall(k: number): number { return k < 0 || !(this.c.P > 0) ? 0 : this.c.tp[k] / this.c.P; }
  fpr(k: number): number { return k < 0 || !(this.c.N > 0) ? 0 : this.c.fp[k] / this.c.N; }
  /** Precision of the top set; NaN for the empty set. */
  precision(k: number): number {
    if (k < 0) return NaN;
    const v = this.c.tp[k] + this.c.fp[k];
    return v > 0 ? this.c.tp[k] / v : NaN;
  }
  /** Precision of runs (b, q] (the QUEUE band); NaN when empty. */
  bandPrecision(b: number, q: number): number {
    const tp = (q < 0 ? 0 : this.c.tp[q]) - (b < 0 ? 0 : this.c.tp[b]);
    const v = tp + (q < 0 ? 0 : this.c.fp[q]) - (b < 0 ? 0 : this.c.fp[b]);
    return v > 0 ? tp / v : NaN;
  }
  threshold(k: number): number { return this.c.thresholds[k]; }
}

/**
 * Precomputes, for every flagged set q, the smallest BLOCK set that keeps the QUEUE band within
 * capacity (`bmin`), the most precise BLOCK set among those that do (`bestIn`, smallest on ties),
 * and for every k the next/last set whose precision meets the BLOCK requirement.
 */
function tables(v: CurveView, cfg: PolicyConfig) {
  const K = v.K;
  const bmin = new Int32Array(K), bestIn = new Int32Array(K);
  // Both window ends [bmin(q), q] only move right as q grows: a monotone deque gives the
  // window's precision maximum in O(K) overall.
  const dq = new Int32Array(K);
  let head = 0, tail = 0, bp = -1;
  for (let q = 0; q < K; q++) {
    while (v.vol(q) - v.vol(bp) > cfg.queueCapacity + TOL) bp++;
    bmin[q] = bp;
    // An empty (zero-weight) top set has no precision; rank it below any real one.
    const pr = (k: number) => { const x = v.precision(k); return Number.isFinite(x) ? x : -1; };
    const pq = pr(q);
    while (tail > head && pr(dq[tail - 1]) < pq) tail--;
    dq[tail++] = q;
    while (tail > head && dq[head] < bp) head++;
    bestIn[q] = bp < 0 ? -1 : dq[head];
  }
  const good = (k: number) => v.precision(k) >= cfg.minBlockPrecision - TOL;
  const nextGood = new Int32Array(K + 1).fill(K);
  for (let k = K - 1; k >= 0; k--) nextGood[k] = good(k) ? k : nextGood[k + 1];
  const lastGood = new Int32Array(K);
  for (let k = 0; k < K; k++) lastGood[k] = good(k) ? k : k > 0 ? lastGood[k - 1] : -1;
  return { bmin, bestIn, nextGood, lastGood };
}

/**
 * Chooses (q, b) lexicographically: the first constraint in `priority` is missed by as little as
 * possible, then the second among those choices, and so on; remaining ties go to the smallest
 * flagged volume (fewest uploads actioned). When capacity and BLOCK precision can both hold, BLOCK is
 * the smallest set that keeps the queue within capacity — humans review everything they can. When
 * they cannot, the lower-priority one is missed by as little as possible: the most precise BLOCK set
 * that fits capacity, or the largest BLOCK set that keeps the required precision.
 */
export function solvePolicy(v: CurveView, cfg: PolicyConfig, priority: readonly PolicyConstraint[]): PolicySolution {
  const { bmin, bestIn, nextGood, lastGood } = tables(v, cfg);
  const capFirst = priority.indexOf('queue_capacity') < priority.indexOf('block_precision');
  let best: PolicySolution | null = null;
  let bestKey: number[] = [];
  for (let q = -1; q < v.K; q++) {
    let b: number;
    const bm = q < 0 ? -1 : bmin[q];
    if (bm < 0) b = -1;
    else if (nextGood[bm] <= q) b = nextGood[bm];
    // Otherwise the lower-priority of the two is missed by as little as possible.
    else b = capFirst ? bestIn[q] : lastGood[q];
    const violation: Record<PolicyConstraint, number> = {
      fpr: Math.max(0, v.fpr(q) - cfg.maxFpr),
      recall: Math.max(0, cfg.minRecall - v.recall(q)),
      queue_capacity: Math.max(0, v.vol(q) - v.vol(b) - cfg.queueCapacity),
      block_precision: b < 0 ? 0 : Math.max(0, cfg.minBlockPrecision - (Number.isFinite(v.precision(b)) ? v.precision(b) : 0)),
    };
    const key = priority.map((c) => (violation[c] > TOL ? violation[c] : 0));
    if (!best || lexLess(key, bestKey)) { best = { q, b, violation }; bestKey = key; }
  }
  return best!;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i] - TOL) return true;
    if (a[i] > b[i] + TOL) return false;
  }
  return false;
}

/** Highest BLOCK precision among sets that keep the QUEUE band of flagged set q within capacity. */
export function bestBlockPrecisionWithinCapacity(v: CurveView, cfg: PolicyConfig, q: number): { precision: number; b: number } {
  if (q < 0) return { precision: NaN, b: -1 };
  const b = tables(v, cfg).bestIn[q];
  return { precision: b < 0 ? NaN : v.precision(b), b };
}

/** Smallest flagged set reaching `minRecall` (−1 when 0 suffices, K−1 at most). */
export function minimalRecallSet(v: CurveView, minRecall: number): number {
  if (minRecall <= 0) return -1;
  for (let k = 0; k < v.K; k++) if (v.recall(k) >= minRecall - TOL) return k;
  return v.K - 1;
}

/** Largest flagged set within the FPR cap (−1 when even the first threshold exceeds it). */
export function maximalFprSet(v: CurveView, maxFpr: number): number {
  let k = -1;
  while (k + 1 < v.K && v.fpr(k + 1) <= maxFpr + TOL) k++;
  return k;
}
