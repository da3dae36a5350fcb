import type { GroupIds } from '../eval/validate.js';
import { curveOf, prepareScored } from '../eval/curves.js';
import { precisionAtTop } from '../eval/metrics.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';
import { policyConfigSchema, POLICY_CONSTRAINTS, type PolicyConfig, type PolicyConstraint } from './config.js';
import { CurveView, solvePolicy, bestBlockPrecisionWithinCapacity, minimalRecallSet, maximalFprSet, type PolicySolution } from './solve.js';
import { achievedValues, achievedWithCi, type Achieved } from './achieved.js';

export type ConstraintName = PolicyConstraint | 'top_precision';

export interface ConstraintStatus {
  /** e.g. ">= 0.9" or "<= 0.01". */
  required: string;
  value: number | null;
  met: boolean;
  /** Met, but moving either threshold one step the other way would break it: it decided the choice. */
  binding: boolean;
}

export interface BindingNote { constraint: ConstraintName; kind: 'binding' | 'conflict' | 'shortfall'; statement: string }

export interface PolicyAlternative {
  give_up: PolicyConstraint;
  queue_threshold: number; block_threshold: number; block_enabled: boolean;
  achieved: Record<string, number | null>;
  violated: PolicyConstraint[];
}

export interface Compromise {
  /** Constraints not met by the chosen thresholds (each relaxed only as far as needed). */
  given_up: ConstraintName[];
  statement: string;
  priority: PolicyConstraint[];
  /** The same search with each threshold constraint moved to last place: the other ways to give. */
  alternatives: PolicyAlternative[];
}

export interface CategoryPolicy {
  block_threshold: number; queue_threshold: number;
  positives: number; recall_flagged: number | null; recall_blocked: number | null;
}

/** policy.json: thresholds in calibrated-probability space; the action rule is in `rule`. */
export interface Policy {
  version: string;
  space: 'calibrated_probability';
  rule: string;
  block_threshold: number;
  queue_threshold: number;
  /** False when no upload needs auto-blocking; block_threshold is then 1 (calibrated outputs stay below it). */
  block_enabled: boolean;
  constraints: {
    minRecall: number; maxFpr: number; queueCapacity: number; minBlockPrecision: number;
    minTopPrecision: number; topShare: number; priority: PolicyConstraint[];
  };
  achieved: Achieved;
  constraint_status: Record<ConstraintName, ConstraintStatus>;
  feasible: boolean;
  binding: BindingNote[];
  compromise: Compromise | null;
  per_category: Record<string, CategoryPolicy>;
  /** Recall per harm category (policy tag) under the global thresholds, when tags were given. */
  category_recall: Record<string, { positives: number; recall_flagged: number | null; recall_blocked: number | null }>;
  support: { n: number; positives: number; groups: number | null };
  bootstrap: { resamples: number; seed: number; unit: 'group' } | null;
}

export interface ChooseOptions {
  /** Creator/leakage groups for the achieved numbers' intervals. */
  groups?: GroupIds | null;
  /** Policy tags per row (for per-category thresholds and recall). */
  tags?: readonly (readonly string[])[] | null;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
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

function constraintStatus(v: CurveView, cfg: PolicyConfig, s: PolicySolution, top: number): Record<ConstraintName, ConstraintStatus> {
  const { q, b } = s;
  const queue = v.vol(q) - v.vol(b);
  return {
    recall: {
      required: `>= ${cfg.minRecall}`, value: v.recall(q), met: s.violation.recall === 0 || s.violation.recall <= 1e-12,
      // Binding: one threshold step less flagged would drop below the target.
      binding: s.violation.recall <= 1e-12 && q >= 0 && v.recall(q - 1) < cfg.minRecall - 1e-12,
    },
    fpr: {
      required: `<= ${cfg.maxFpr}`, value: v.fpr(q), met: s.violation.fpr <= 1e-12,
      binding: s.violation.fpr <= 1e-12 && q + 1 < v.K && v.fpr(q + 1) > cfg.maxFpr + 1e-12 && s.violation.recall > 1e-12,
    },
    queue_capacity: {
      required: `<= ${cfg.queueCapacity}`, value: queue, met: s.violation.queue_capacity <= 1e-12,
      // Binding: capacity is what forced auto-blocking.
      binding: s.violation.queue_capacity <= 1e-12 && b >= 0 && v.vol(q) - v.vol(b - 1) > cfg.queueCapacity + 1e-12,
    },
    block_precision: {
      required: `>= ${cfg.minBlockPrecision}`, value: b >= 0 ? v.precision(b) : null, met: s.violation.block_precision <= 1e-12,
      // Binding: a smaller BLOCK set that still fits capacity was rejected for its precision.
      binding: s.violation.block_precision <= 1e-12 && b > 0 && v.vol(q) - v.vol(b - 1) <= cfg.queueCapacity + 1e-12,
    },
    top_precision: {
      required: `>= ${cfg.minTopPrecision} in the top ${pct(cfg.topShare)}`, value: fin(top),
      met: Number.isFinite(top) && top >= cfg.minTopPrecision - 1e-12, binding: false,
    },
  };
}

/** Plain-language notes: what binds, what conflicts, and the arithmetic behind it. */
function explain(v: CurveView, cfg: PolicyConfig, s: PolicySolution, top: number): BindingNote[] {
  const notes: BindingNote[] = [];
  const kR = minimalRecallSet(v, cfg.minRecall);
  const kF = maximalFprSet(v, cfg.maxFpr);
  const thr = (k: number) => (k < 0 ? 'none' : v.threshold(k).toPrecision(4));
  if (kR > kF) {
    notes.push({
      constraint: 'recall', kind: 'conflict',
      statement: `recall ${cfg.minRecall} needs FPR ${pct(v.fpr(kR))} (threshold ${thr(kR)}, ${pct(v.vol(kR))} of uploads flagged) but FPR must be <= ${pct(cfg.maxFpr)}; within that FPR the best recall is ${f3(v.recall(kF))} (threshold ${thr(kF)})`,
    });
  } else if (s.q === kR && kR >= 0) {
    notes.push({
      constraint: 'recall', kind: 'binding',
      statement: `recall ${cfg.minRecall} sets the QUEUE threshold ${thr(kR)}: ${pct(v.vol(kR))} of uploads flagged at FPR ${pct(v.fpr(kR))} (<= ${pct(cfg.maxFpr)})`,
    });
  }
  // Capacity vs BLOCK precision, judged at the flagged set safety asks for.
  const qs = kR;
  const need = v.vol(qs) - cfg.queueCapacity;
  if (need > 1e-12) {
    const best = bestBlockPrecisionWithinCapacity(v, cfg, qs);
    const conflict = !(best.precision >= cfg.minBlockPrecision - 1e-12);
    notes.push({
      constraint: conflict ? 'block_precision' : 'queue_capacity', kind: conflict ? 'conflict' : 'binding',
      statement: `recall ${cfg.minRecall} needs ${pct(v.vol(qs))} of uploads flagged but QUEUE capacity is ${pct(cfg.queueCapacity)} → at least ${pct(need)} must be auto-blocked; ` +
        (conflict
          ? `the best BLOCK set that large has precision ${f3(best.precision)} < required ${cfg.minBlockPrecision}`
          : `BLOCK at threshold ${thr(s.b)} covers ${pct(v.vol(s.b))} at precision ${f3(v.precision(s.b))} (>= ${cfg.minBlockPrecision})`),
    });
  } else if (qs >= 0) {
    notes.push({
      constraint: 'queue_capacity', kind: 'binding',
      statement: `the ${pct(v.vol(qs))} of uploads that recall ${cfg.minRecall} needs fit in the QUEUE capacity of ${pct(cfg.queueCapacity)}: no auto-block is needed`,
    });
  }
  if (!(Number.isFinite(top) && top >= cfg.minTopPrecision - 1e-12)) {
    const P = v.c.P / (v.c.P + v.c.N);
    notes.push({
      constraint: 'top_precision', kind: 'shortfall',
      statement: `precision in the top ${pct(cfg.topShare)} is ${f3(top)} < required ${cfg.minTopPrecision}: a property of the ranking, no threshold choice changes it` +
        ` (at prevalence ${pct(P)} it needs >= ${pct(Math.min(1, (cfg.minTopPrecision * cfg.topShare) / P))} of all positives inside the top ${pct(cfg.topShare)})`,
    });
  }
  return notes;
}

function compromiseStatement(cfg: PolicyConfig, st: Record<ConstraintName, ConstraintStatus>, givenUp: ConstraintName[]): string {
  const parts = givenUp.map((g) => `${g} achieved ${f3(st[g].value ?? NaN)} (required ${st[g].required})`);
  const kept = cfg.priority.filter((p) => !givenUp.includes(p));
  return `not all constraints can hold at once; kept ${kept.join(', ') || 'none'} (priority ${cfg.priority.join(' > ')}) and gave up: ${parts.join('; ')}`;
}

/** Per-category thresholds (configured) and per-category recall under the global thresholds. */
function categories(
  scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>,
  tags: readonly (readonly string[])[] | null, cfg: PolicyConfig,
  th: { queue_threshold: number; block_threshold: number; block_enabled: boolean },
) {
  const perCategory: Record<string, CategoryPolicy> = {};
  const categoryRecall: Policy['category_recall'] = {};
  const recallFor = (tag: string, qThr: number, bThr: number, bOn: boolean) => {
    let n = 0, W = 0, wq = 0, wb = 0;
    for (let i = 0; i < scores.length; i++) {
      if (labels[i] !== 1 || !tags || !tags[i].includes(tag)) continue;
      n++; W += weights[i];
      if (scores[i] >= qThr || (bOn && scores[i] >= bThr)) wq += weights[i];
      if (bOn && scores[i] >= bThr) wb += weights[i];
    }
    return { positives: n, recall_flagged: W > 0 ? wq / W : null, recall_blocked: W > 0 ? wb / W : null };
  };
  for (const [tag, bt] of Object.entries(cfg.perCategoryBlock)) {
    // A stricter category blocks at the lower of its own and the global threshold, and queues at
    // least everything it would block.
    const block = th.block_enabled ? Math.min(bt, th.block_threshold) : bt;
    const queue = Math.min(th.queue_threshold, block);
    perCategory[tag] = { block_threshold: block, queue_threshold: queue, ...recallFor(tag, queue, block, true) };
  }
  if (tags) {
    const all = new Set<string>();
    for (let i = 0; i < tags.length; i++) if (labels[i] === 1) for (const t of tags[i]) all.add(t);
    for (const t of [...all].sort()) categoryRecall[t] = recallFor(t, th.queue_threshold, th.block_threshold, th.block_enabled);
  }
  return { perCategory, categoryRecall };
}
