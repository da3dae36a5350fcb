/**
 * The split of a dataset without upload times: there is no "recent" period to hold out, so whole
 * leakage groups are dealt to train / calibration / test in the configured proportions, stratified
 * by label so every part gets its share of the (rare) positives.
 *
 * Groups with positives are dealt first, most positives first, each to the part that is furthest
 * below its share of positives; then the negative-only groups, largest first, each to the part that
 * is furthest below its share of rows. A seeded shuffle breaks ties (most groups are single videos),
 * so the split is deterministic for a seed and differs between seeds.
 */
import type { VideoTable } from '../data/table.js';
import { TRAIN, CALIB, TEST } from './types.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { VigilError } from '../util/errors.js';

export interface PartFractions {
  train: number;
  calib: number;
  test: number;
}

/** The fractions of a split config's `noTime` section (train takes the rest). */
export function partFractions(cfg: { calibFraction: number; testFraction: number }): PartFractions {
  const train = 1 - cfg.calibFraction - cfg.testFraction;
  if (!(train > 0) || !(cfg.calibFraction > 0) || !(cfg.testFraction > 0)) {
    throw new VigilError(`split.noTime: calibFraction (${cfg.calibFraction}) and testFraction (${cfg.testFraction}) must be > 0 and leave a positive share for training`, { field: 'split.noTime' });
  }
  return { train, calib: cfg.calibFraction, test: cfg.testFraction };
}

/** Split per row (TRAIN / CALIB / TEST; nothing is purged: without time there are no gaps). */
export function stratifiedGroupSplit(table: VideoTable, groups: Int32Array, fr: PartFractions, seed: number): Uint8Array {
  const n = table.n;
  if (groups.length !== n) throw new VigilError(`stratified split: ${groups.length} group ids for ${n} rows`, { field: 'groups' });
  const size = new Map<number, number>(), pos = new Map<number, number>();
  let totalPos = 0;
  for (let i = 0; i < n; i++) {
    const g = groups[i], y = table.harmful[i] === 1 ? 1 : 0;
    size.set(g, (size.get(g) ?? 0) + 1);
    pos.set(g, (pos.get(g) ?? 0) + y);
    totalPos += y;
  }
  const ids = [...size.keys()].sort((a, b) => a - b);
  shuffleInPlace(ids, createRng(seed).fork('stratified-group-split'));
  // Stable sort after the shuffle: most positives first, then largest; ties stay in random order.
  const order = ids.map((g, r) => ({ g, r }))
    .sort((a, b) => (pos.get(b.g)! - pos.get(a.g)!) || (size.get(b.g)! - size.get(a.g)!) || (a.r - b.r))
    .map((x) => x.g);
  const parts = [TRAIN, CALIB, TEST];
  const share = [fr.train, fr.calib, fr.test];
  const rows = [0, 0, 0], positives = [0, 0, 0];
  const partOf = new Map<number, number>();
  for (const g of order) {
    const p = pos.get(g)!;
    let best = 0, bestNeed = -Infinity, bestRowNeed = -Infinity;
    for (let k = 0; k < 3; k++) {
      const rowNeed = share[k] * n - rows[k];
      const need = p > 0 ? share[k] * totalPos - positives[k] : rowNeed;
      if (need > bestNeed || (need === bestNeed && rowNeed > bestRowNeed)) { best = k; bestNeed = need; bestRowNeed = rowNeed; }
    }
    partOf.set(g, best);
    rows[best] += size.get(g)!;
    positives[best] += p;
  }
  return Uint8Array.from(groups, (g) => parts[partOf.get(g)!]);
}
