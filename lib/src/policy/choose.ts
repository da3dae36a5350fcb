import { curveOf, prepareScored } from '../stats/curves.js';
import { precisionAtTop } from '../stats/metrics.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';
import { policyConfigSchema, POLICY_CONSTRAINTS, type PolicyConfig, type PolicyConstraint } from './config.js';
import { CurveView, solvePolicy, type PolicySolution } from './solve.js';
import { achievedValues, achievedWithCi } from './achieved.js';
import { constraintStatus, explain, compromiseStatement } from './explain.js';
import { categories } from './categories.js';
import type { ChooseOptions, Compromise, ConstraintName, Policy, PolicyAlternative } from './types.js';

export type { BindingNote, CategoryPolicy, ChooseOptions, Compromise, ConstraintName, ConstraintStatus, Policy, PolicyAlternative } from './types.js';

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The action for a calibrated probability under a policy. */
export function actionFor(policy: Pick<Policy, 'block_threshold' | 'queue_threshold' | 'block_enabled'>, p: number): 'ALLOW' | 'QUEUE' | 'BLOCK' {
  if (policy.block_enabled && p >= policy.block_threshold) return 'BLOCK';
  return p >= policy.queue_threshold ? 'QUEUE' : 'ALLOW';
}

function thresholdsOf(v: CurveView, s: { q: number; b: number }) {
  return {
    queue_threshold: s.q < 0 ? 1 : v.threshold(s.q),
    block_threshold: s.b < 0 ? 1 : v.threshold(s.b),
    block_enabled: s.b >= 0,
  };
}

const violated = (s: PolicySolution): PolicyConstraint[] => POLICY_CONSTRAINTS.filter((c) => s.violation[c] > 1e-12);

/**
 * Picks QUEUE and BLOCK thresholds from the constraints (see docs/evaluation.md): the smallest
 * flagged set reaching the recall target within the FPR cap, then the smallest BLOCK set that keeps
 * the QUEUE band within capacity at the required BLOCK precision. When they cannot all hold, the
 * constraints are kept in `cfg.priority` order and the report says which conflict and what was given
 * up. Never throws for infeasible constraints; throws VigilError only for malformed input.
 */
export function choosePolicy(
  scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>,
  cfgIn: Partial<PolicyConfig>, opts: ChooseOptions = {},
): Policy {
  const parsed = policyConfigSchema.safeParse(cfgIn);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new VigilError(`policy option '${i.path.join('.')}': ${i.message}`, { field: i.path.join('.') });
  }
  const cfg = parsed.data;
  if (opts.tags && opts.tags.length !== scores.length) {
    throw new VigilError(`'tags': length ${opts.tags.length} differs from 'scores' length ${scores.length}`, { field: 'tags' });
  }
  const prep = prepareScored(scores, labels, weights, opts.groups);
  const c = curveOf(prep);
  if (!(c.P > 0) || !(c.N > 0)) {
    throw new VigilError(`'labels': choosing a policy needs positives and negatives with weight > 0 (got positive weight ${c.P}, negative weight ${c.N})`, { field: 'labels' });
  }
  const v = new CurveView(c);
  const sol = solvePolicy(v, cfg, cfg.priority);
  const th = thresholdsOf(v, sol);
  const { achieved } = achievedWithCi(prep, sol.q, sol.b, cfg.topShare, cfg.bootstrap, cfg.seed, Boolean(opts.groups));
  const top = precisionAtTop(c, cfg.topShare).value;

  const status = constraintStatus(v, cfg, sol, top);
  const binding = explain(v, cfg, sol, top);
  const givenUp = (Object.keys(status) as ConstraintName[]).filter((k) => !status[k].met);
  const feasible = givenUp.length === 0;
  let compromise: Compromise | null = null;
  if (!feasible) {
    const alternatives = POLICY_CONSTRAINTS.map((g): PolicyAlternative => {
      const order = [...cfg.priority.filter((p) => p !== g), g];
      const s = solvePolicy(v, cfg, order);
      const vals = achievedValues(v, s.q, s.b, cfg.topShare);
      return {
        give_up: g, ...thresholdsOf(v, s),
        achieved: Object.fromEntries(Object.entries(vals).map(([k, x]) => [k, fin(x)])),
        violated: violated(s),
      };
    });
    compromise = { given_up: givenUp, statement: compromiseStatement(cfg, status, givenUp), priority: [...cfg.priority], alternatives };
  }

  const { perCategory, categoryRecall } = categories(scores, labels, weights, opts.tags ?? null, cfg, th);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const body = {
    space: 'calibrated_probability' as const,
    rule: 'BLOCK if block_enabled and p >= block_threshold; else QUEUE if p >= queue_threshold; else ALLOW',
    ...th,
    constraints: {
      minRecall: cfg.minRecall, maxFpr: cfg.maxFpr, queueCapacity: cfg.queueCapacity,
      minBlockPrecision: cfg.minBlockPrecision, minTopPrecision: cfg.minTopPrecision, topShare: cfg.topShare,
      priority: [...cfg.priority],
    },
  };
  return {
    version: `policy-${sha256(JSON.stringify(body)).slice(0, 12)}`,
    ...body,
    achieved,
    constraint_status: status,
    feasible,
    binding,
    compromise,
    per_category: perCategory,
    category_recall: categoryRecall,
    support: { n: scores.length, positives, groups: opts.groups ? prep.nGroups : null },
    bootstrap: opts.groups ? { resamples: cfg.bootstrap, seed: cfg.seed, unit: 'group' } : null,
  };
}
