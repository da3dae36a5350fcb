import { parseRunFile } from '../artifacts/runFiles.js';
import type { MetricsFile, StoredMetricBlock } from '../artifacts/metrics.js';

export type { MetricsFile, StoredMetricBlock };

/** A point estimate with its 95% bootstrap interval. */
export interface ValueCI {
  value: number;
  ci?: [number, number];
}

function isCi(x: unknown): x is [number, number] {
  return Array.isArray(x) && x.length === 2 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * Read a metric by path (`ap`, `recall_at_fpr.0.02`). The rate keys contain dots, so a path is
 * the first segment plus the rest joined back. Accepts a plain number, `{ value, ci }`, or a
 * sibling `<key>_ci` array. Returns undefined when the metric is absent.
 */
export function getMetric(block: StoredMetricBlock | undefined, path: string): ValueCI | undefined {
  if (!block) return undefined;
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const rest = dot < 0 ? undefined : path.slice(dot + 1);
  let raw: unknown = block[head];
  let siblingCi: unknown = block[`${head}_ci`];
  if (rest !== undefined) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const obj = raw as Record<string, unknown>;
    raw = obj[rest] ?? obj[String(Number(rest))];
    siblingCi = undefined;
  }
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return undefined;
    return isCi(siblingCi) ? { value: raw, ci: siblingCi } : { value: raw };
  }
  if (typeof raw === 'object' && raw !== null && typeof (raw as ValueCI).value === 'number') {
    const v = raw as ValueCI;
    if (!Number.isFinite(v.value)) return undefined;
    return isCi(v.ci) ? { value: v.value, ci: [v.ci[0], v.ci[1]] } : { value: v.value };
  }
  return undefined;
}

/** Positives in a block (slices carry `positives`; `support` is the row count). */
export function blockPositives(block: StoredMetricBlock | undefined): number {
  const p = block?.positives;
  return typeof p === 'number' && Number.isFinite(p) ? p : 0;
}

/** metrics.json checked against its schema (artifacts/metrics.ts); `source` is what an error names. */
export function parseMetricsFile(raw: unknown, source: string): MetricsFile {
  return parseRunFile('metrics.json', raw, source);
}
