import type { GroupIds } from '../stats/validate.js';
import { allocCurve, curveOf, prepareScored, type Curve, type Prepared } from '../stats/curves.js';
import { averagePrecision, bestFBeta, brier, ece, logLoss, partialAuc, precisionAtTop, recallAtFpr, rocAuc } from '../stats/metrics.js';
import { groupBootstrap, type MetricValues } from '../stats/bootstrap.js';
import { VigilError } from '../util/errors.js';
import { evalConfigSchema, type EvalConfig } from './config.js';

/** A number with its 95% bootstrap interval; null (never NaN) when undefined on the data. */
export interface MetricValue { value: number | null; ci: [number, number] | null }
/** A metric read at a threshold picked on the same data (re-picked inside every resample). */
export interface ThresholdMetric extends MetricValue { threshold: number | null }

export interface CriterionVerdict {
  metric: string; at: number; target: number;
  value: number | null; ci_low: number | null;
  /** True only when the 95% CI lower bound reaches the target. */
  met: boolean;
  /** Whether the point estimate alone reaches it (shown next to `met`, never instead of it). */
  point_met: boolean;
}

/** The `test` block of metrics.json (docs/CONTRACTS.md), plus pAUC, F2, log-loss and the verdicts. */
export interface MetricBlock {
  n: number;
  positives: number;
  weighted_n: number;
  weighted_positives: number;
  prevalence: number | null;
  ap: MetricValue;
  roc_auc: MetricValue;
  /** McClish-standardised partial AUC over FPR ∈ [0, max_fpr]; `raw` is the unstandardised area. */
  pauc_002: MetricValue & { max_fpr: number; raw: MetricValue };
  recall_at_fpr: Record<string, ThresholdMetric>;
  precision_at_top: Record<string, ThresholdMetric>;
  f2: ThresholdMetric;
  ece: MetricValue;
  brier: MetricValue;
  logloss: MetricValue;
  /** Calibration metrics are only defined when every score is a probability in [0, 1]. */
  probabilities: boolean;
  meets: Record<string, CriterionVerdict>;
  bootstrap: { resamples: number; seed: number; unit: 'group' | 'row'; groups: number; interval: 'percentile 95%' };
  settings: { ece_bins: number };
}

export type EvaluateOptions = Partial<EvalConfig>;

const fin = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);
/** Key for an operating point: String(0.02) = "0.02", String(0.005) = "0.005". */
export const pointKey = (x: number): string => String(x);

/** Every metric of a block as a flat record, from one (re)sample. */
export function computeMetricValues(prep: Prepared, cfg: EvalConfig, probs: boolean, mult: Float64Array | null, scratch?: Curve): MetricValues {
  const c = curveOf(prep, mult, scratch);
  const pa = partialAuc(c, cfg.pAucMaxFpr);
  const f2 = bestFBeta(c, 2);
  const v: MetricValues = {
    ap: averagePrecision(c), roc_auc: rocAuc(c), pauc: pa.mcclish, pauc_raw: pa.raw,
    f2: f2.value, f2_thr: f2.threshold,
  };
  for (const t of cfg.fprTargets) {
    const r = recallAtFpr(c, t);
    v[`recall@${pointKey(t)}`] = r.value; v[`recall_thr@${pointKey(t)}`] = r.threshold;
  }
  for (const s of cfg.topShares) {
    const r = precisionAtTop(c, s);
    v[`prec@${pointKey(s)}`] = r.value; v[`prec_thr@${pointKey(s)}`] = r.threshold;
  }
  v.ece = probs ? ece(prep, cfg.eceBins, mult, c.P + c.N) : NaN;
  v.brier = probs ? brier(prep, mult) : NaN;
  v.logloss = probs ? logLoss(prep, mult) : NaN;
  return v;
}

/** metrics.json path (as runs/compare.ts reads it) of each bootstrapped metric key; thresholds are left out. */
function drawPath(key: string): string | null {
  if (key.startsWith('recall@')) return `recall_at_fpr.${key.slice('recall@'.length)}`;
  if (key.startsWith('prec@')) return `precision_at_top.${key.slice('prec@'.length)}`;
  if (key === 'pauc') return 'pauc_002';
  return ['ap', 'roc_auc', 'f2', 'ece', 'brier', 'logloss'].includes(key) ? key : null;
}

/** Weighted metrics with group-bootstrap 95% intervals (see `evaluateWithDraws`). */
export function evaluate(
  scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, groups: GroupIds | null, opts: EvaluateOptions = {},
): MetricBlock {
  return evaluateWithDraws(scores, labels, weights, groups, opts).block;
}

/**
 * Weighted metrics with group-bootstrap 95% intervals. `groups` (creator or leakage group ids) are
 * the resampling unit; null resamples rows (only right when rows are independent). Thresholds for
 * recall@FPR, precision@top and F2 are re-picked inside each resample. `draws` holds every
 * resample's value per metric (keyed by metrics.json path, e.g. `recall_at_fpr.0.02`) for paired
 * comparisons between runs.
 */
export function evaluateWithDraws(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
  groups: GroupIds | null,
  opts: EvaluateOptions = {},
): { block: MetricBlock; draws: Record<string, Float64Array> } {
  const r = evalConfigSchema.safeParse(opts);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new VigilError(`eval option '${i.path.join('.')}': ${i.message}`, { field: i.path.join('.') });
  }
  const parsed = r.data;
  // Criteria at operating points outside the configured lists add those points to the block.
  const uniq = (a: number[]) => [...new Set(a)].sort((x, y) => x - y);
  const cfg: EvalConfig = {
    ...parsed,
    fprTargets: uniq([...parsed.fprTargets, ...parsed.criteria.filter((c) => c.metric === 'recall_at_fpr').map((c) => c.at)]),
    topShares: uniq([...parsed.topShares, ...parsed.criteria.filter((c) => c.metric === 'precision_at_top').map((c) => c.at)]),
  };
  const prep = prepareScored(scores, labels, weights, groups);
  let probs = true;
  for (let k = 0; k < prep.n; k++) if (prep.score[k] < 0 || prep.score[k] > 1) { probs = false; break; }
  const scratch = allocCurve(prep);
  const boot = groupBootstrap(prep, (m) => computeMetricValues(prep, cfg, probs, m, scratch), { resamples: cfg.bootstrap, seed: cfg.seed });
  const mv = (k: string): MetricValue => ({ value: fin(boot.point[k]), ci: fin(boot.point[k]) === null ? null : boot.ci[k] });
  const tm = (k: string, thr: string): ThresholdMetric => ({ ...mv(k), threshold: fin(boot.point[thr]) });

  let positives = 0, wn = 0, wp = 0;
  for (let i = 0; i < prep.n; i++) {
    wn += weights[i];
    if (labels[i] === 1) { positives++; wp += weights[i]; }
  }
  const recall_at_fpr: Record<string, ThresholdMetric> = {};
  for (const t of cfg.fprTargets) recall_at_fpr[pointKey(t)] = tm(`recall@${pointKey(t)}`, `recall_thr@${pointKey(t)}`);
  const precision_at_top: Record<string, ThresholdMetric> = {};
  for (const s of cfg.topShares) precision_at_top[pointKey(s)] = tm(`prec@${pointKey(s)}`, `prec_thr@${pointKey(s)}`);

  const meets: Record<string, CriterionVerdict> = {};
  for (const cr of cfg.criteria) {
    const key = cr.metric === 'recall_at_fpr' ? `recall@${pointKey(cr.at)}` : `prec@${pointKey(cr.at)}`;
    const value = fin(boot.point[key]);
    const ci = boot.ci[key] ?? null;
    const ciLow = value === null || ci === null ? null : ci[0];
    meets[`${cr.metric}@${pointKey(cr.at)}`] = {
      metric: cr.metric, at: cr.at, target: cr.min, value, ci_low: ciLow,
      met: ciLow !== null && ciLow >= cr.min,
      point_met: value !== null && value >= cr.min,
    };
  }
  const draws: Record<string, Float64Array> = {};
  for (const [k, d] of Object.entries(boot.draws)) {
    const path = drawPath(k);
    if (path !== null) draws[path] = d;
  }
  const block: MetricBlock = {
    n: prep.n, positives, weighted_n: wn, weighted_positives: wp, prevalence: wn > 0 ? wp / wn : null,
    ap: mv('ap'), roc_auc: mv('roc_auc'),
    pauc_002: { ...mv('pauc'), max_fpr: cfg.pAucMaxFpr, raw: mv('pauc_raw') },
    recall_at_fpr, precision_at_top,
    f2: tm('f2', 'f2_thr'),
    ece: mv('ece'), brier: mv('brier'), logloss: mv('logloss'),
    probabilities: probs,
    meets,
    bootstrap: { resamples: cfg.bootstrap, seed: cfg.seed, unit: groups ? 'group' : 'row', groups: prep.nGroups, interval: 'percentile 95%' },
    settings: { ece_bins: cfg.eceBins },
  };
  return { block, draws };
}
