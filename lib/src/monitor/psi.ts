import { VigilError } from '../util/errors.js';

/**
 * Population Stability Index between a reference and a current distribution over the same bins:
 * PSI = Σ (c_i − r_i) · ln(c_i / r_i). Shares are floored at `eps` so an empty bin on one side gives
 * a large but finite contribution instead of infinity.
 */
export function psi(ref: readonly number[], cur: readonly number[], eps = 1e-4): number {
  if (ref.length !== cur.length) throw new VigilError(`psi: reference has ${ref.length} bins, current has ${cur.length}`, { field: 'bins' });
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.max(ref[i], eps), c = Math.max(cur[i], eps);
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/**
 * Interior cut points at the reference's quantiles (`bins` bins → up to bins−1 edges). Duplicate
 * cut points (a heavy atom such as prior_strikes = 0) collapse, so such a feature gets fewer bins.
 * Non-finite values (missing) are ignored here and counted in their own bin by numericShares.
 */
export function quantileEdges(values: ArrayLike<number>, bins = 10, weights?: ArrayLike<number>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) idx.push(i);
  if (idx.length === 0) return [];
  idx.sort((a, b) => values[a] - values[b]);
  const w = (i: number) => (weights ? weights[i] : 1);
  let total = 0;
  for (const i of idx) total += w(i);
  const edges: number[] = [];
  let cum = 0, k = 1;
  for (let j = 0; j < idx.length && k < bins; j++) {
    cum += w(idx[j]);
    while (k < bins && cum >= (total * k) / bins) {
      // Cut just above this value: values equal to it stay in the lower bin.
      const v = values[idx[j]];
      const next = j + 1 < idx.length ? values[idx[j + 1]] : v;
      if (next > v) {
        const e = (v + next) / 2;
        if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
      }
      k++;
    }
  }
  return edges;
}

/** Bin index of v: the number of edges ≤ v (binary search). */
function binOf(edges: readonly number[], v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Weighted shares over edges.length + 1 value bins plus one trailing bin for missing (non-finite)
 * values. Sums to 1 (all zeros when there are no rows).
 */
export function numericShares(values: ArrayLike<number>, edges: readonly number[], weights?: ArrayLike<number>): number[] {
  const out = new Array<number>(edges.length + 2).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i] : 1;
    const v = values[i];
    out[Number.isFinite(v) ? binOf(edges, v) : edges.length + 1] += w;
    total += w;
  }
  return total > 0 ? out.map((x) => x / total) : out;
}

export const OTHER_LEVEL = '(other)';

/**
 * Levels worth their own bin: those with at least `minShare` of the reference; the rest are pooled
 * into `(other)` (always present, so a new country at serving time lands somewhere).
 */
export function categoricalLevels(values: readonly (string | null)[], minShare = 0.01, weights?: ArrayLike<number>): string[] {
  const counts = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    const w = weights ? weights[i] : 1;
    counts.set(v, (counts.get(v) ?? 0) + w);
    total += w;
  }
  const keep = [...counts.entries()].filter(([, c]) => total > 0 && c / total >= minShare).map(([k]) => k).sort();
  return [...keep.filter((k) => k !== OTHER_LEVEL), OTHER_LEVEL];
}

/** Weighted shares per level (unknown levels → `(other)`), plus a trailing bin for null. */
export function categoricalShares(values: readonly (string | null)[], levels: readonly string[], weights?: ArrayLike<number>): number[] {
  const pos = new Map(levels.map((l, i) => [l, i]));
  const other = pos.get(OTHER_LEVEL);
  if (other === undefined) throw new VigilError(`categoricalShares: levels must include '${OTHER_LEVEL}'`, { field: 'levels' });
  const out = new Array<number>(levels.length + 1).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i] : 1;
    const v = values[i];
    out[v === null ? levels.length : pos.get(v) ?? other] += w;
    total += w;
  }
  return total > 0 ? out.map((x) => x / total) : out;
}
