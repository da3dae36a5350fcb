import type { ValueCI } from '../runs/metricsFile.js';
import type { Criterion, LatencySection, TestSection } from './types.js';
import { LATENCY_BUDGET_MS } from '../serve/latency.js';

/**
 * - `met`: the CI bound on the safe side meets the target (lower bound for ≥, upper for ≤);
 * - `not proven`: the point estimate meets it but the interval does not (or there is no interval);
 * - `not met`: the point estimate misses it;
 * - `not measured`: no number.
 */
export type Verdict = 'met' | 'not proven' | 'not met' | 'not measured';

export function criterionVerdict(c: Criterion): Verdict {
  if (!c.metric || !Number.isFinite(c.metric.value)) return 'not measured';
  const ok = (x: number) => (c.direction === '>=' ? x >= c.target : x <= c.target);
  if (!ok(c.metric.value)) return 'not met';
  if (!c.metric.ci) return 'not proven';
  return ok(c.direction === '>=' ? c.metric.ci[0] : c.metric.ci[1]) ? 'met' : 'not proven';
}

/** The seed's success criteria, from the test metrics, the policy targets and the serving latency. */
export function standardCriteria(
  test: TestSection | undefined,
  targets: { minRecall: number; maxFpr: number; minTopPrecision: number; topShare: number; latencyBudgetMs?: number },
  latency?: LatencySection,
): Criterion[] {
  const key = (x: number) => String(x);
  const out: Criterion[] = [
    { name: `recall at ≤ ${(targets.maxFpr * 100).toFixed(1)}% FPR (recent-time test)`, metric: test?.recallAtFpr?.[key(targets.maxFpr)] ?? null, target: targets.minRecall, direction: '>=', unit: '%' },
    { name: `precision in the top ${(targets.topShare * 100).toFixed(1)}% highest risk`, metric: test?.precisionAtTop?.[key(targets.topShare)] ?? null, target: targets.minTopPrecision, direction: '>=', unit: '%' },
  ];
  const budget = targets.latencyBudgetMs ?? latency?.budgetMs ?? LATENCY_BUDGET_MS;
  // p99 is already a tail bound, so it serves as its own interval.
  const lat: ValueCI | null = latency ? { value: latency.p99, ci: [latency.p99, latency.p99] } : null;
  out.push({ name: `p99 CPU latency per video < ${budget} ms`, metric: lat, target: budget, direction: '<=', unit: 'ms' });
  return out;
}
