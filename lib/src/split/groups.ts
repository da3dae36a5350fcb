/**
 * Leakage groups: connected components over near-duplicate links, optionally joined by creator.
 * Every row of a group must land in the same split, otherwise a model is tested on content it has
 * (almost) seen in training.
 */
import type { VideoTable } from '../data/table.js';

/** Union-find with path halving and union by size: near-linear in the number of links. */
export class UnionFind {
  readonly parent: Int32Array;
  private readonly size: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) { p[x] = p[p[x]]; x = p[x]; }
    return x;
  }
  /** Returns true when a and b were in different components. */
  union(a: number, b: number): boolean {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra] < this.size[rb]) { const t = ra; ra = rb; rb = t; }
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
    return true;
  }
  /**
   * Dense component ids 0..k-1, numbered by each component's first row, so the ids depend only on
   * the links and the row order (deterministic).
   */
  labels(): Int32Array {
    const n = this.parent.length;
    const out = new Int32Array(n);
    const idOfRoot = new Int32Array(n).fill(-1);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const r = this.find(i);
      if (idOfRoot[r] < 0) idOfRoot[r] = next++;
      out[i] = idOfRoot[r];
    }
    return out;
  }
}

/** Number of distinct ids in a dense labelling. */
export function countGroups(labels: Int32Array): number {
  let m = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > m) m = labels[i];
  return m + 1;
}

/**
 * Leakage groups from near-duplicate clusters, joined by creator when `byCreator`.
 * `clusters` is a dense labelling of the rows (e.g. from clusterNearDuplicates).
 */
export function leakageGroups(table: VideoTable, clusters: Int32Array, byCreator: boolean): Int32Array {
  const n = table.n;
  const uf = new UnionFind(n);
  const firstOfCluster = new Map<number, number>();
  const firstOfCreator = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = clusters[i];
    const f = firstOfCluster.get(c);
    if (f === undefined) firstOfCluster.set(c, i); else uf.union(f, i);
    if (byCreator) {
      const cr = table.creatorId[i];
      const g = firstOfCreator.get(cr);
      if (g === undefined) firstOfCreator.set(cr, i); else uf.union(g, i);
    }
  }
  return uf.labels();
}
