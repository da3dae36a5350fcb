import type { MetricValue } from '../eval/evaluate.js';
import { VigilError } from '../util/errors.js';

/** Markdown rendering of bench figures: tables, metrics with their 95% intervals, durations. */

/** "0.512 [0.471, 0.553]"; "—" when the value is undefined on the data. */
export function fmtMetric(m: MetricValue | null | undefined, digits = 3): string {
  if (!m || m.value === null) return '—';
  const f = (x: number) => x.toFixed(digits);
  return m.ci ? `${f(m.value)} [${f(m.ci[0])}, ${f(m.ci[1])}]` : f(m.value);
}

/** Seconds with sensible precision: 0.042 s → "0.04 s", 73.4 → "73 s", 4000 → "66.7 min". */
export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s >= 600) return `${(s / 60).toFixed(1)} min`;
  if (s >= 10) return `${Math.round(s)} s`;
  if (s >= 1) return `${s.toFixed(1)} s`;
  return `${s.toFixed(2)} s`;
}

/** Thousands separators for counts and rates ("12,345"). */
export function fmtCount(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "a / b = 2.5×", the ratio of two timings measured in the same run. */
export function fmtRatio(a: number | null | undefined, b: number | null | undefined): string {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '—';
  return `${(a / b).toFixed(2)}×`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A GitHub-flavoured markdown table; pipes inside cells are escaped, newlines flattened. */
export function markdownTable(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  if (headers.length === 0) throw new VigilError('markdown table: no columns', { field: 'headers' });
  rows.forEach((r, i) => {
    if (r.length !== headers.length) throw new VigilError(`markdown table: row ${i} has ${r.length} cells, expected ${headers.length}`, { field: `rows[${i}]` });
  });
  const sep = headers.map((_, j) => (align?.[j] === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((r, k) => `| ${(k === 1 ? r : r.map(cell)).join(' | ')} |`).join('\n');
}

/** A difference with its sign always shown (a real minus sign), 3 decimals: "+0.012", "−0.020". */
export const fmtSigned = (x: number): string => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);
