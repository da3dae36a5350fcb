/**
 * Small HTML tables for notebooks: plain inline HTML (no scripts, no CDN) so they render in Jupyter
 * and in the committed outputs alike.
 */
import { getMetric, type StoredMetricBlock, type ValueCI } from '../runs/metricsFile.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `0.412 [0.380, 0.450]`, `0.412` without an interval, `—` when absent. */
export function fmtCI(v: ValueCI | number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(digits) : '—';
  const head = v.value.toFixed(digits);
  return v.ci ? `${head} [${v.ci[0].toFixed(digits)}, ${v.ci[1].toFixed(digits)}]` : head;
}

/** A share as a percentage, `—` when absent. */
export function pct(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(digits)}%`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(cell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Rows of objects → an HTML table; columns are the union of keys in first-seen order. */
export function htmlTable(rows: readonly Record<string, unknown>[], opts: { caption?: string; columns?: string[] } = {}): string {
  const cols = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const th = cols.map((c) => `<th style="text-align:left;padding:2px 8px">${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td style="padding:2px 8px">${esc(cell(r[c]))}</td>`).join('')}</tr>`).join('\n');
  const cap = opts.caption ? `<caption style="text-align:left;font-weight:bold">${esc(opts.caption)}</caption>` : '';
  return `<table style="border-collapse:collapse;font-size:13px">${cap}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The headline metrics a metrics block is compared on (path → column title). */
export const HEADLINE_METRICS: readonly [string, string][] = [
  ['ap', 'AP'],
  ['roc_auc', 'ROC AUC'],
  ['recall_at_fpr.0.02', 'recall @ 2% FPR'],
  ['precision_at_top.0.01', 'precision @ top 1%'],
  ['ece', 'ECE'],
];

/**
 * One row per named block: `value [lo, hi]` per headline metric plus the block's n and positives.
 * Accepts any metrics-block shape (eval's typed block or one read back from metrics.json).
 */
export function metricRows(blocks: Record<string, object | undefined>, metrics = HEADLINE_METRICS): Record<string, string | number>[] {
  return Object.entries(blocks).filter((e): e is [string, StoredMetricBlock] => e[1] !== undefined).map(([name, b]) => {
    const row: Record<string, string | number> = { name };
    for (const [path, title] of metrics) row[title] = fmtCI(getMetric(b, path));
    if (typeof b.n === 'number') row.n = b.n;
    if (typeof b.positives === 'number') row.positives = b.positives;
    return row;
  });
}
