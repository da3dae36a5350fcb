/**
 * Weighted counting for the notebooks' data tables. Every share uses the table's `weight` column so a
 * negatively-downsampled store reports the rates of the upload stream it stands for.
 */
import type { VideoTable } from '../data/table.js';
import { weekStart } from '../monitor/drift.js';
import { VigilError } from '../util/errors.js';

/** Σ weight per key (keys in first-seen order). */
export function weightedCounts(keys: readonly string[], weights?: ArrayLike<number>): Map<string, number> {
  if (weights && weights.length !== keys.length) throw new VigilError(`weights has ${weights.length} entries for ${keys.length} keys`, { field: 'weights' });
  const out = new Map<string, number>();
  keys.forEach((k, i) => out.set(k, (out.get(k) ?? 0) + (weights ? weights[i] : 1)));
  return out;
}

/** Rows as `{ key, count, share }`, largest first. */
export function shareRows(keys: readonly string[], weights?: ArrayLike<number>): { key: string; count: number; share: number }[] {
  const c = weightedCounts(keys, weights);
  const total = [...c.values()].reduce((a, b) => a + b, 0);
  return [...c.entries()].map(([key, count]) => ({ key, count: Math.round(count), share: total > 0 ? count / total : 0 })).sort((a, b) => b.count - a.count);
}

/** The upload week (Monday, YYYY-MM-DD) of every row. */
export function uploadWeeks(t: VideoTable): string[] {
  return Array.from(t.uploadTs, (ts) => weekStart(ts));
}

/**
 * Per week: Σ weight of rows where `where` holds, divided by Σ weight of rows where `among` holds
 * (e.g. the share of truly harmful uploads that belong to one category). Weeks with no `among` rows
 * report 0.
 */
export function weeklyShare(t: VideoTable, among: (i: number) => boolean, where: (i: number) => boolean): { week: string; share: number; among: number }[] {
  const weeks = uploadWeeks(t);
  const num = new Map<string, number>(), den = new Map<string, number>();
  for (let i = 0; i < t.n; i++) {
    const wk = weeks[i];
    if (!den.has(wk)) { den.set(wk, 0); num.set(wk, 0); }
    if (!among(i)) continue;
    den.set(wk, den.get(wk)! + t.weight[i]);
    if (where(i)) num.set(wk, num.get(wk)! + t.weight[i]);
  }
  return [...den.keys()].sort().map((week) => ({ week, share: den.get(week)! > 0 ? num.get(week)! / den.get(week)! : 0, among: Math.round(den.get(week)!) }));
}

/** Counts of `values` in the bins [edges[k], edges[k+1]); the last bin also takes values ≥ its end. */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): { bin: string; count: number }[] {
  if (edges.length < 2) throw new VigilError('histogram needs at least two edges', { field: 'edges' });
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= edges[0])) continue;
    let k = edges.length - 2;
    while (k > 0 && v < edges[k]) k--;
    counts[k]++;
  }
  return counts.map((count, k) => ({ bin: k === counts.length - 1 ? `≥${edges[k]}` : `${edges[k]}–${edges[k + 1] - 1}`, count }));
}
