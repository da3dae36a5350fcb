import type { GroupIds } from '../stats/validate.js';
import { curveOf, prepareScored } from '../stats/curves.js';
import type { Policy } from './choose.js';
import { achievedWithCi, runIndexFor, type Achieved } from './achieved.js';

export interface PolicyCheck {
  required: string;
  value: number | null;
  ci: [number, number] | null;
  /** Point estimate meets the requirement. */
  met: boolean;
  /** The whole 95% interval meets it (lower bound for ≥, upper bound for ≤); null without groups. */
  met_with_ci: boolean | null;
}

export interface PolicyEvaluation {
  policy_version: string;
  n: number;
  positives: number;
  achieved: Achieved;
  checks: Record<'recall' | 'fpr' | 'queue_capacity' | 'block_precision' | 'top_precision', PolicyCheck>;
  bootstrap: { resamples: number; seed: number; unit: 'group'; groups: number } | null;
}

/**
 * What a fixed policy achieves on another set (e.g. the test weeks), with group-bootstrap
 * intervals when `groups` are given. Thresholds are not re-fitted: this is the deployed policy.
 */
export function evaluatePolicy(
  policy: Policy, scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>,
  groups: GroupIds | null, opts: { bootstrap?: number; seed?: number } = {},
): PolicyEvaluation {
  const prep = prepareScored(scores, labels, weights, groups);
  const c = curveOf(prep);
  const q = runIndexFor(c.thresholds, policy.queue_threshold);
  const b = policy.block_enabled ? Math.min(q, runIndexFor(c.thresholds, policy.block_threshold)) : -1;
  // The flagged set includes BLOCK even if a hand-edited policy put block below queue.
  const qq = Math.max(q, b);
  const resamples = opts.bootstrap ?? 200, seed = opts.seed ?? 17;
  const { achieved } = achievedWithCi(prep, qq, b, policy.constraints.topShare, resamples, seed, Boolean(groups));
  const k = policy.constraints;
  const check = (key: keyof Achieved, bound: number, dir: '>=' | '<='): PolicyCheck => {
    const a = achieved[key];
    const met = a.value !== null && (dir === '>=' ? a.value >= bound - 1e-12 : a.value <= bound + 1e-12);
    const met_with_ci = a.ci === null ? null : dir === '>=' ? a.ci[0] >= bound - 1e-12 : a.ci[1] <= bound + 1e-12;
    return { required: `${dir} ${bound}`, value: a.value, ci: a.ci, met, met_with_ci };
  };
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const blockCheck = check('block_precision', k.minBlockPrecision, '>=');
  return {
    policy_version: policy.version,
    n: scores.length, positives,
    achieved,
    checks: {
      recall: check('recall', k.minRecall, '>='),
      fpr: check('fpr', k.maxFpr, '<='),
      queue_capacity: check('queue_share', k.queueCapacity, '<='),
      // No blocks at all trivially satisfies the BLOCK precision requirement.
      block_precision: achieved.block_precision.value === null ? { ...blockCheck, met: true, met_with_ci: groups ? true : null } : blockCheck,
      top_precision: check('top_precision', k.minTopPrecision, '>='),
    },
    bootstrap: groups ? { resamples, seed, unit: 'group', groups: prep.nGroups } : null,
  };
}
