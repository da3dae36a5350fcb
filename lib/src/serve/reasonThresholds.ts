import { VigilError } from '../util/errors.js';
import type { ReasonCodesFile } from '../artifacts/reasonCodes.js';

/**
 * Per-modality "signal high" thresholds for reason codes (`reason_codes.json` in a run folder; its
 * schema, which serving parses the file with, is artifacts/reasonCodes.ts). A tower's logit counts as
 * high when only a small share (`tail`, default 1%) of the calibration window's negatives reach it —
 * so a reason code means "unusual for benign content", measured on data the model did not train on.
 */
export type ReasonThresholds = ReasonCodesFile;

export const REASON_MODALITIES = ['meta', 'visual', 'audio', 'text'] as const;
export type ReasonModality = (typeof REASON_MODALITIES)[number];

export interface FitReasonOptions {
  tail?: number;
  /** N×4 availability (1 = the modality was present); absent modalities are left out of the fit. */
  avail?: ArrayLike<number>;
  account?: { priorStrikes: number; newAccountDays: number };
  modelVersion?: string;
}

/**
 * Fit thresholds from the calibration window: `modalityLogits` is N×4 row-major (the model's
 * `modality_logits` output), `labels` 0/1, `weights` the sampling weights.
 */
export function fitReasonThresholds(
  modalityLogits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, opts: FitReasonOptions = {},
): ReasonThresholds {
  const n = labels.length;
  const tail = opts.tail ?? 0.01;
  if (!(tail > 0 && tail < 1)) throw new VigilError(`reason thresholds: 'tail' must be in (0, 1), got ${tail}`, { field: 'tail' });
  if (modalityLogits.length !== n * 4) throw new VigilError(`reason thresholds: 'modalityLogits' has ${modalityLogits.length} values, expected ${n}×4`, { field: 'modalityLogits' });
  if (weights.length !== n) throw new VigilError(`reason thresholds: 'weights' has ${weights.length} values, expected ${n}`, { field: 'weights' });
  if (opts.avail && opts.avail.length !== n * 4) throw new VigilError(`reason thresholds: 'avail' has ${opts.avail.length} values, expected ${n}×4`, { field: 'avail' });
  const modality = { meta: null, visual: null, audio: null, text: null } as ReasonThresholds['modality'];
  const positiveRate = { meta: null, visual: null, audio: null, text: null } as ReasonThresholds['positiveRate'];
  REASON_MODALITIES.forEach((m, k) => {
    const neg: { v: number; w: number }[] = [];
    const pos: { v: number; w: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (opts.avail && !(opts.avail[i * 4 + k] > 0)) continue;
      const v = modalityLogits[i * 4 + k];
      const w = weights[i];
      if (!Number.isFinite(v)) throw new VigilError(`reason thresholds: 'modalityLogits' row ${i} (${m}) is not finite`, { field: 'modalityLogits', row: i });
      if (!(w >= 0)) throw new VigilError(`reason thresholds: 'weights' row ${i} must be >= 0`, { field: 'weights', row: i });
      if (labels[i] === 1) pos.push({ v, w });
      else if (labels[i] === 0) neg.push({ v, w });
      else throw new VigilError(`reason thresholds: 'labels' row ${i} must be 0 or 1`, { field: 'labels', row: i });
    }
    const thr = upperTailThreshold(neg, tail);
    if (thr === null) return;
    modality[m] = thr;
    const pw = pos.reduce((s, p) => s + p.w, 0);
    positiveRate[m] = pw > 0 ? pos.reduce((s, p) => s + (p.v >= thr ? p.w : 0), 0) / pw : null;
  });
  return {
    formatVersion: 1, tail, modality, positiveRate,
    account: opts.account ?? { priorStrikes: 1, newAccountDays: 30 },
    ...(opts.modelVersion ? { modelVersion: opts.modelVersion } : {}),
  };
}

/**
 * The lowest value t such that the weighted share of `xs` with value >= t is at most `tail`.
 * Ties move together (a threshold never splits equal values). When even the largest value holds
 * more than `tail`, the threshold sits just above it. null when there are no values.
 */
export function upperTailThreshold(xs: { v: number; w: number }[], tail: number): number | null {
  const total = xs.reduce((s, x) => s + x.w, 0);
  if (xs.length === 0 || !(total > 0)) return null;
  const sorted = [...xs].sort((a, b) => b.v - a.v);
  let cum = 0;
  let thr = nextUp(sorted[0].v);
  for (let i = 0; i < sorted.length;) {
    let j = i, groupW = 0;
    while (j < sorted.length && sorted[j].v === sorted[i].v) { groupW += sorted[j].w; j++; }
    if ((cum + groupW) / total > tail + 1e-12) break;
    cum += groupW;
    thr = sorted[i].v;
    i = j;
  }
  return thr;
}

function nextUp(v: number): number {
  return v + Math.max(Math.abs(v) * 1e-9, 1e-9);
}
