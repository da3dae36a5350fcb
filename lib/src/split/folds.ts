/**
 * Cross-validation plans over the training rows.
 *
 * Forward chaining (the plan used for model selection): the training period is cut into `folds + 1`
 * consecutive time blocks. CV fold f (1..folds) validates on block f and trains on blocks 0..f-1,
 * minus a purge gap before block f and minus every group that also appears in block f. Models are
 * always scored on data later than what they learned from — as in production.
 *
 * Grouped k-fold (for comparison): whole groups (creator + near-duplicate) dealt to k folds, balanced
 * by positives, ignoring time. It shows how much of a score comes from temporal drift. It is also the
 * CV plan of a dataset without upload times.
 *
 * When the data is too small for the requested number of folds, the adaptive variants pick the
 * largest number that works (down to 2, else none) and say why.
 */
import type { VideoTable } from '../data/table.js';
import { MS_PER_DAY } from '../data/table.js';
import { TRAIN } from './types.js';
import { createRng, shuffleInPlace } from '../util/rng.js';
import { VigilError } from '../util/errors.js';

export interface CvFold {
  /** 1-based fold number; validation rows carry this value in the `fold` column. */
  fold: number;
  trainRows: Int32Array;
  valRows: Int32Array;
  valStart: number;
  valEnd: number;
  trainPositives: number;
  valPositives: number;
  /** Earlier rows dropped from this fold's training: inside the purge gap / group also in validation. */
  purgedGap: number;
  purgedGroup: number;
}

export interface ForwardFolds {
  /** Time block per row (0 = warm-up block, trained on only); -1 for rows not in train. */
  block: Int8Array;
  /** folds + 2 block boundaries, epoch ms. */
  boundaries: number[];
  folds: CvFold[];
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

type FoldCfg = { folds: number; minFoldPositives: number; purgeDays: number };

/** Forward-chaining folds with exactly `cfg.folds` folds; throws (naming what is short) when the data cannot support them. */
export function forwardChainingFolds(table: VideoTable, split: Uint8Array, groups: Int32Array, cfg: FoldCfg): ForwardFolds {
  const r = buildForwardFolds(table, split, groups, cfg);
  if ('infeasible' in r) throw new VigilError(r.infeasible, { field: r.field });
  return r;
}

/** How many folds a split ended up with, and why when it is not the number asked for. */
export interface FoldChoice {
  kind: 'forward-chaining' | 'grouped';
  requested: number;
  /** 0 = no CV folds (the fold column is null everywhere). */
  chosen: number;
  /** Why fewer folds than requested (the requested count's shortfall); null when as requested. */
  reason: string | null;
}

/**
 * The largest number of forward-chaining folds, from `cfg.folds` down to 2, that the data supports
 * (each fold's validation block and its training rows hold `minFoldPositives` positives). Small data
 * gets fewer folds, or none, with the reason recorded — instead of an error that blocks the split.
 */
export function adaptiveForwardFolds(table: VideoTable, split: Uint8Array, groups: Int32Array, cfg: FoldCfg): ForwardFolds & { choice: FoldChoice } {
  let first: string | null = null, last: string | null = null;
  for (let k = cfg.folds; k >= 2; k--) {
    const r = buildForwardFolds(table, split, groups, { ...cfg, folds: k });
    if (!('infeasible' in r)) return { ...r, choice: { kind: 'forward-chaining', requested: cfg.folds, chosen: k, reason: first } };
    first ??= r.infeasible;
    last = r.infeasible;
  }
  return {
    block: new Int8Array(table.n).fill(-1), boundaries: [], folds: [],
    choice: { kind: 'forward-chaining', requested: cfg.folds, chosen: 0, reason: `not even 2 folds fit: ${last ?? `split.folds=${cfg.folds}`}` },
  };
}

function buildForwardFolds(
  table: VideoTable, split: Uint8Array, groups: Int32Array, cfg: FoldCfg,
): ForwardFolds | { infeasible: string; field: string } {
  const k = cfg.folds;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < table.n; i++) {
    if (split[i] !== TRAIN) continue;
    const t = table.uploadTs[i];
    if (!Number.isFinite(t)) throw new VigilError(`'upload_ts' at row ${i}: forward-chaining folds need a timestamp on every training row`, { field: 'upload_ts', row: i });
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (lo === Infinity) throw new VigilError('split: no training rows to build CV folds from', { field: 'split' });
  const start = Math.floor(lo / MS_PER_DAY) * MS_PER_DAY;
  const end = Math.floor(hi / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY;
  const days = (end - start) / MS_PER_DAY;
  if (days < k + 1) {
    return { infeasible: `'upload_ts': the training period spans ${days} days (${iso(start)} to ${iso(end - 1)}); ` +
      `split.folds=${k} needs at least ${k + 1} days (one block per fold plus a warm-up block)`, field: 'upload_ts' };
  }
  // Day-aligned block boundaries: block j = [boundaries[j], boundaries[j+1]).
  const boundaries: number[] = [];
  for (let j = 0; j <= k + 1; j++) boundaries.push(start + Math.round((days * j) / (k + 1)) * MS_PER_DAY);
  const block = new Int8Array(table.n).fill(-1);
  for (let i = 0; i < table.n; i++) {
    if (split[i] !== TRAIN) continue;
    let b = 0;
    while (b < k && table.uploadTs[i] >= boundaries[b + 1]) b++;
    block[i] = b;
  }
  const purge = cfg.purgeDays * MS_PER_DAY;
  const folds: CvFold[] = [];
  const problems: string[] = [];
  for (let f = 1; f <= k; f++) {
    const inVal = new Set<number>();
    const val: number[] = [];
    let valPos = 0;
    for (let i = 0; i < table.n; i++) if (block[i] === f) { val.push(i); inVal.add(groups[i]); if (table.harmful[i] === 1) valPos++; }
    const tr: number[] = [];
    let trPos = 0, gap = 0, grp = 0;
    for (let i = 0; i < table.n; i++) {
      if (block[i] < 0 || block[i] >= f) continue;
      if (table.uploadTs[i] >= boundaries[f] - purge) { gap++; continue; }
      if (inVal.has(groups[i])) { grp++; continue; }
      tr.push(i);
      if (table.harmful[i] === 1) trPos++;
    }
    const where = `fold ${f} (validation ${iso(boundaries[f])} to ${iso(boundaries[f + 1] - 1)})`;
    if (valPos < cfg.minFoldPositives) problems.push(`${where} has ${valPos} positives in validation`);
    if (trPos < cfg.minFoldPositives) problems.push(`${where} has ${trPos} positives to train on`);
    folds.push({ fold: f, trainRows: Int32Array.from(tr), valRows: Int32Array.from(val), valStart: boundaries[f], valEnd: boundaries[f + 1],
      trainPositives: trPos, valPositives: valPos, purgedGap: gap, purgedGroup: grp });
  }
  if (problems.length > 0) {
    return { infeasible: `'harmful': split.folds=${k} forward-chaining folds need at least split.minFoldPositives=${cfg.minFoldPositives} ` +
      `positives on each side of every fold, but ${problems.join('; ')}. Use fewer folds, a lower minFoldPositives, or more data`,
      field: 'harmful' };
  }
  return { block, boundaries, folds };
}

export interface GroupedKFold {
  /** Fold 0..k-1 per row; -1 for rows not folded. */
  fold: Int8Array;
  rows: number[];
  positives: number[];
}

/**
 * Non-temporal grouped k-fold over `rows`: each group goes whole into one fold; groups with
 * positives are dealt first so every fold gets its share of them.
 */
export function groupedKFold(
  table: VideoTable, rows: ArrayLike<number>, groups: Int32Array, k: number, minPositives: number, seed: number,
): GroupedKFold {
  if (!Number.isInteger(k) || k < 2) throw new VigilError(`grouped k-fold: k must be an integer >= 2, got ${k}`, { field: 'folds' });
  const size = new Map<number, number>(), pos = new Map<number, number>();
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r], g = groups[i];
    size.set(g, (size.get(g) ?? 0) + 1);
    pos.set(g, (pos.get(g) ?? 0) + (table.harmful[i] === 1 ? 1 : 0));
  }
  const ids = [...size.keys()].sort((a, b) => a - b);
  shuffleInPlace(ids, createRng(seed).fork('grouped-kfold'));
  // Stable sort after a seeded shuffle: large groups first, ties in random order.
  const order = ids.map((g, r) => ({ g, r })).sort((a, b) =>
    (pos.get(b.g)! - pos.get(a.g)!) || (size.get(b.g)! - size.get(a.g)!) || (a.r - b.r)).map((x) => x.g);
  const fr = new Array<number>(k).fill(0), fp = new Array<number>(k).fill(0);
  const foldOf = new Map<number, number>();
  for (const g of order) {
    let best = 0;
    for (let f = 1; f < k; f++) {
      const better = pos.get(g)! > 0 ? (fp[f] < fp[best] || (fp[f] === fp[best] && fr[f] < fr[best])) : fr[f] < fr[best];
      if (better) best = f;
    }
    foldOf.set(g, best);
    fr[best] += size.get(g)!;
    fp[best] += pos.get(g)!;
  }
  const fold = new Int8Array(table.n).fill(-1);
  for (let r = 0; r < rows.length; r++) fold[rows[r]] = foldOf.get(groups[rows[r]])!;
  const short = fp.map((p, f) => ({ p, f })).filter((x) => x.p < minPositives);
  if (short.length > 0) {
    throw new VigilError(`'harmful': grouped ${k}-fold needs at least ${minPositives} positives per fold, but ` +
      short.map((x) => `fold ${x.f} has ${x.p}`).join(', ') + ` (${fp.reduce((a, b) => a + b, 0)} positives in all); use fewer folds`,
      { field: 'harmful' });
  }
  return { fold, rows: fr, positives: fp };
}

/**
 * Grouped, positive-balanced k-fold with the largest k from `k` down to 2 whose every fold holds
 * `minPositives` positives (the CV plan of a split without timestamps). chosen = 0: no folds.
 */
export function adaptiveGroupedKFold(
  table: VideoTable, rows: ArrayLike<number>, groups: Int32Array, k: number, minPositives: number, seed: number,
): { result: GroupedKFold | null; choice: FoldChoice } {
  let first: string | null = null, last: string | null = null;
  for (let j = k; j >= 2; j--) {
    try {
      return { result: groupedKFold(table, rows, groups, j, minPositives, seed), choice: { kind: 'grouped', requested: k, chosen: j, reason: first } };
    } catch (e) {
      if (!(e instanceof VigilError) || e.field !== 'harmful') throw e;
      first ??= e.message;
      last = e.message;
    }
  }
  return { result: null, choice: { kind: 'grouped', requested: k, chosen: 0, reason: `not even 2 folds fit: ${last ?? `split.folds=${k}`}` } };
}
