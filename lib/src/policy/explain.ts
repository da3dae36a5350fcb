import type { PolicyConfig } from './config.js';
import { CurveView, bestBlockPrecisionWithinCapacity, minimalRecallSet, maximalFprSet, type PolicySolution } from './solve.js';
import type { BindingNote, ConstraintName, ConstraintStatus } from './types.js';

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Each constraint's requirement, achieved value, whether it is met and whether it decided the choice. */
export function constraintStatus(v: CurveView, cfg: PolicyConfig, s: PolicySolution, top: number): Record<ConstraintName, ConstraintStatus> {
  const { q, b } = s;
  const queue = v.vol(q) - v.vol(b);
  return {
    recall: {
      required: `>= ${cfg.minRecall}`, value: fin(v.recall(q)), met: s.violation.recall <= 1e-12,
      // Binding: one threshold step less flagged would drop below the target.
      binding: s.violation.recall <= 1e-12 && q >= 0 && v.recall(q - 1) < cfg.minRecall - 1e-12,
    },
    fpr: {
      required: `<= ${cfg.maxFpr}`, value: fin(v.fpr(q)), met: s.violation.fpr <= 1e-12,
      binding: s.violation.fpr <= 1e-12 && q + 1 < v.K && v.fpr(q + 1) > cfg.maxFpr + 1e-12 && s.violation.recall > 1e-12,
    },
    queue_capacity: {
      required: `<= ${cfg.queueCapacity}`, value: fin(queue), met: s.violation.queue_capacity <= 1e-12,
      // Binding: capacity is what forced auto-blocking.
      binding: s.violation.queue_capacity <= 1e-12 && b >= 0 && v.vol(q) - v.vol(b - 1) > cfg.queueCapacity + 1e-12,
    },
    block_precision: {
      required: `>= ${cfg.minBlockPrecision}`, value: b >= 0 ? fin(v.precision(b)) : null, met: s.violation.block_precision <= 1e-12,
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
export function explain(v: CurveView, cfg: PolicyConfig, s: PolicySolution, top: number): BindingNote[] {
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
    // The chosen BLOCK set when the chosen flagged set is this one; otherwise the most precise one.
    const bq = s.q === qs ? s.b : best.b;
    notes.push({
      constraint: conflict ? 'block_precision' : 'queue_capacity', kind: conflict ? 'conflict' : 'binding',
      statement: `recall ${cfg.minRecall} needs ${pct(v.vol(qs))} of uploads flagged but QUEUE capacity is ${pct(cfg.queueCapacity)} → at least ${pct(need)} must be auto-blocked; ` +
        (conflict
          ? `the best BLOCK set that large has precision ${f3(best.precision)} < required ${cfg.minBlockPrecision}`
          : `BLOCK at threshold ${thr(bq)} covers ${pct(v.vol(bq))} at precision ${f3(v.precision(bq))} (>= ${cfg.minBlockPrecision})`),
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

/** One sentence: what was kept, in which priority, and what was given up by how much. */
export function compromiseStatement(cfg: PolicyConfig, st: Record<ConstraintName, ConstraintStatus>, givenUp: ConstraintName[]): string {
  const parts = givenUp.map((g) => `${g} achieved ${f3(st[g].value ?? NaN)} (required ${st[g].required})`);
  const kept = cfg.priority.filter((p) => !givenUp.includes(p));
  return `not all constraints can hold at once; kept ${kept.join(', ') || 'none'} (priority ${cfg.priority.join(' > ')}) and gave up: ${parts.join('; ')}`;
}
