import { getMetric, blockPositives, type StoredMetricBlock, type ValueCI } from './metricsFile.js';
import { LOWER_IS_BETTER, gateConfigSchema, type GateConfig } from './config.js';
import type { RunData } from './runFolder.js';
import { drawsOf, type BootstrapFile } from './bootstrapFile.js';
import { quantileSorted } from '../stats/bootstrap.js';

/**
 * How a delta's interval was obtained:
 * - `paired`: percentile interval of b_k − a_k over the same bootstrap resamples (both runs wrote
 *   bootstrap.json with the same sample key) — the honest interval for a difference;
 * - `non-overlap`: [lo_B − hi_A, hi_B − lo_A] from the two separate intervals; it excludes 0 exactly
 *   when the intervals do not overlap, a conservative test (it misses some real differences);
 * - `none`: at least one run has no interval; never significant.
 */
export type CiMethod = 'paired' | 'non-overlap' | 'none';

export interface CompareRow {
  metric: string;
  /** `overall` or the slice name. */
  slice: string;
  a: ValueCI | null;
  b: ValueCI | null;
  delta: number | null;
  ci: [number, number] | null;
  ciMethod: CiMethod;
  /** The delta CI excludes 0. */
  significant: boolean;
  /** Whether this row can reject the candidate. */
  gated: boolean;
  /** This row rejects the candidate. */
  fails: boolean;
  /** Why a slice row was not judged (too few positives). */
  note?: string;
}

export interface Comparison {
  a: string;
  b: string;
  rows: CompareRow[];
  verdict: 'promote' | 'reject';
  reasons: string[];
  /** Which interval method the gated rows used (`mixed` when some rows lacked paired resamples). */
  ciMethod: CiMethod | 'mixed';
}

/** 95% percentile interval of the paired differences b_k − a_k (NaN resamples dropped). */
export function pairedDeltaCi(a: number[], b: number[]): [number, number] | null {
  if (a.length !== b.length || a.length === 0) return null;
  const d: number[] = [];
  for (let k = 0; k < a.length; k++) {
    const x = b[k] - a[k];
    if (Number.isFinite(x)) d.push(x);
  }
  if (d.length < 10) return null;
  const sorted = Float64Array.from(d).sort();
  return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
}

function canPair(a: BootstrapFile | undefined, b: BootstrapFile | undefined): boolean {
  return Boolean(a && b && a.sampleKey && a.sampleKey === b.sampleKey && a.resamples === b.resamples);
}

/** What the gate reads of a run: a run folder read back, or a variant still in memory. */
export type ComparableRun = Pick<RunData, 'id' | 'metrics' | 'policy' | 'bootstrap'>;

function compareMetric(
  A: ComparableRun, B: ComparableRun, blockA: StoredMetricBlock | undefined, blockB: StoredMetricBlock | undefined,
  bootBlock: string, metric: string, slice: string, gated: boolean, gate: GateConfig,
): CompareRow {
  const a = getMetric(blockA, metric) ?? null;
  const b = getMetric(blockB, metric) ?? null;
  const row: CompareRow = { metric, slice, a, b, delta: null, ci: null, ciMethod: 'none', significant: false, gated, fails: false };
  if (!a || !b) return row;
  row.delta = b.value - a.value;
  const pa = drawsOf(A.bootstrap, bootBlock, metric);
  const pb = drawsOf(B.bootstrap, bootBlock, metric);
  const paired = canPair(A.bootstrap, B.bootstrap) && pa && pb ? pairedDeltaCi(pa, pb) : null;
  if (paired) {
    row.ci = paired;
    row.ciMethod = 'paired';
  } else if (a.ci && b.ci) {
    row.ci = [b.ci[0] - a.ci[1], b.ci[1] - a.ci[0]];
    row.ciMethod = 'non-overlap';
  }
  if (row.ci) row.significant = row.ci[0] > 0 || row.ci[1] < 0;
  if (gated && row.ci) {
    // A regression is a significant move in the bad direction larger than the tolerance.
    const worse = LOWER_IS_BETTER.has(metric) ? row.ci[0] > gate.tolerance : row.ci[1] < -gate.tolerance;
    row.fails = worse;
  }
  return row;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4);
}

/**
 * Compare candidate B against baseline A: deltas (B − A) with CIs for every gated and reported
 * metric, overall and per slice, and the promotion verdict.
 */
export function compareRuns(A: ComparableRun, B: ComparableRun, gateInput: Partial<GateConfig> = {}): Comparison {
  const gate = gateConfigSchema.parse(gateInput);
  const rows: CompareRow[] = [];
  const reasons: string[] = [];
  const metrics = [...gate.metrics, ...gate.report.filter((m) => !gate.metrics.includes(m))];
  for (const m of metrics) {
    rows.push(compareMetric(A, B, A.metrics.test, B.metrics.test, 'test', m, 'overall', gate.metrics.includes(m), gate));
  }
  const sliceNames = [...new Set([...Object.keys(A.metrics.slices ?? {}), ...Object.keys(B.metrics.slices ?? {})])].sort();
  for (const s of sliceNames) {
    const sa = A.metrics.slices?.[s];
    const sb = B.metrics.slices?.[s];
    const enough = Math.min(blockPositives(sa), blockPositives(sb)) >= gate.minSlicePositives;
    for (const m of gate.metrics) {
      const row = compareMetric(A, B, sa, sb, `slice:${s}`, m, s, gate.slices && enough, gate);
      if (!enough) row.note = `fewer than ${gate.minSlicePositives} positives: not judged`;
      rows.push(row);
    }
  }
  for (const r of rows) {
    if (r.gated && r.a && !r.b) reasons.push(`${r.metric} (${r.slice}) is missing from the candidate`);
    if (r.fails && r.ci && r.delta !== null) {
      reasons.push(`${r.metric} (${r.slice}) ${LOWER_IS_BETTER.has(r.metric) ? 'rose' : 'dropped'} significantly: ` +
        `${fmt(r.a!.value)} → ${fmt(r.b!.value)} (Δ ${fmt(r.delta)}, 95% CI [${fmt(r.ci[0])}, ${fmt(r.ci[1])}], ${r.ciMethod})`);
    }
  }
  if (gate.requireFeasible && B.policy?.feasible === false) reasons.push('the candidate policy is infeasible (policy.json feasible = false)');
  const methods = new Set(rows.filter((r) => r.gated && r.ciMethod !== 'none').map((r) => r.ciMethod));
  const ciMethod: Comparison['ciMethod'] = methods.size === 0 ? 'none' : methods.size === 1 ? [...methods][0] : 'mixed';
  return { a: A.id, b: B.id, rows, verdict: reasons.length ? 'reject' : 'promote', reasons, ciMethod };
}

const ciText = (v: ValueCI | null) => (v ? (v.ci ? `${fmt(v.value)} [${fmt(v.ci[0])}, ${fmt(v.ci[1])}]` : fmt(v.value)) : '—');

/** The comparison as an aligned text table plus the verdict, for the terminal and CI logs. */
export function formatComparison(c: Comparison): string {
  const header = ['metric', 'slice', 'A', 'B', 'Δ (B−A)', '95% CI of Δ', 'sig', 'gate'];
  const body = c.rows.map((r) => [
    r.metric, r.slice, ciText(r.a), ciText(r.b),
    r.delta === null ? '—' : (r.delta >= 0 ? '+' : '') + fmt(r.delta),
    r.ci ? `[${fmt(r.ci[0])}, ${fmt(r.ci[1])}] ${r.ciMethod}` : '—',
    r.significant ? '*' : '',
    r.fails ? 'FAIL' : r.gated ? 'ok' : r.note ? 'small' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`A (baseline):  ${c.a}`, `B (candidate): ${c.b}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ''];
  out.push(`CI method for gated metrics: ${c.ciMethod}${c.ciMethod === 'non-overlap' ? ' (conservative: no paired bootstrap.json with a matching sample key)' : ''}`);
  out.push(`verdict: ${c.verdict.toUpperCase()}`);
  for (const r of c.reasons) out.push(`  - ${r}`);
  return out.join('\n');
}
