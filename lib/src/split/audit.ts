/**
 * The split audit: proves no leakage group (and, when creators are grouped, no creator) appears in two
 * splits, and describes each split — size, positives, prevalence, time span, how many rows come from
 * creators never seen in training, cold-start accounts and missing modalities.
 */
import type { VideoTable } from '../data/table.js';
import { MS_PER_DAY, MS_PER_WEEK } from '../data/table.js';
import { SPLIT_NAMES, TRAIN, CALIB, TEST, PURGED, type SplitName } from './types.js';
import { VigilError } from '../util/errors.js';

export interface OverlapRow {
  a: SplitName;
  b: SplitName;
  /** Leakage groups present in both. */
  groups: number;
  /** Near-duplicate clusters present in both. */
  nearDupClusters: number;
  /** Creators present in both (expected > 0 unless creators are grouped). */
  creators: number;
}

export interface SplitStats {
  rows: number;
  positives: number;
  /** Σ weight · harmful / Σ weight (the population prevalence when negatives are downsampled). */
  prevalence: number;
  firstDay: string | null;
  lastDay: string | null;
  /** Calendar span in weeks (0 without upload times). */
  weeks: number;
  creators: number;
  /** Rows whose creator has no training row. */
  newCreatorShare: number;
  /** Rows with account_age_days missing or below coldStartDays. */
  coldStartShare: number;
  missing: { audio: number; transcript: number; metadata: number };
}

export interface SplitAudit {
  creatorGrouping: boolean;
  overlaps: OverlapRow[];
  groupOverlapZero: boolean;
  creatorOverlapZero: boolean;
  /** Zero group overlap, and zero creator overlap when creators are grouped. */
  pass: boolean;
  splits: Record<SplitName, SplitStats>;
}

/** Number of distinct keys present in both splits a and b (purged rows never count). */
function sharedKeys<K>(split: Uint8Array, keys: ArrayLike<K>, a: number, b: number): number {
  const inA = new Set<K>();
  for (let i = 0; i < split.length; i++) if (split[i] === a) inA.add(keys[i]);
  const both = new Set<K>();
  for (let i = 0; i < split.length; i++) if (split[i] === b && inA.has(keys[i])) both.add(keys[i]);
  return both.size;
}

/** 1 for rows whose creator has no row in the training split (the "new creator" slice of test). */
export function newCreatorFlags(table: VideoTable, split: Uint8Array): Uint8Array {
  const seen = new Set<string>();
  for (let i = 0; i < table.n; i++) if (split[i] === TRAIN) seen.add(table.creatorId[i]);
  const out = new Uint8Array(table.n);
  for (let i = 0; i < table.n; i++) out[i] = seen.has(table.creatorId[i]) ? 0 : 1;
  return out;
}

function isColdStart(table: VideoTable, i: number, coldStartDays: number): boolean {
  const a = table.accountAgeDays[i];
  return !Number.isFinite(a) || a < coldStartDays;
}

function stats(table: VideoTable, split: Uint8Array, s: number, isNew: Uint8Array, coldStartDays: number): SplitStats {
  let rows = 0, pos = 0, w = 0, wp = 0, lo = Infinity, hi = -Infinity, nNew = 0, cold = 0, noAudio = 0, noText = 0, noMeta = 0;
  const creators = new Set<string>();
  for (let i = 0; i < table.n; i++) {
    if (split[i] !== s) continue;
    rows++;
    if (table.harmful[i] === 1) { pos++; wp += table.weight[i]; }
    w += table.weight[i];
    const t = table.uploadTs[i];
    if (t < lo) lo = t;
    if (t > hi) hi = t;
    creators.add(table.creatorId[i]);
    if (isNew[i]) nNew++;
    if (isColdStart(table, i, coldStartDays)) cold++;
    if (!table.hasAudio[i]) noAudio++;
    if (!table.transcript[i]) noText++;
    if (!Number.isFinite(table.accountAgeDays[i]) || !Number.isFinite(table.priorStrikes[i])) noMeta++;
  }
  const share = (k: number) => (rows > 0 ? k / rows : 0);
  const dayOf = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : null);
  const weeks = rows > 0 && Number.isFinite(lo) ? (Math.floor(hi / MS_PER_DAY) - Math.floor(lo / MS_PER_DAY) + 1) * MS_PER_DAY / MS_PER_WEEK : 0;
  return {
    rows, positives: pos, prevalence: w > 0 ? wp / w : 0, firstDay: dayOf(lo), lastDay: dayOf(hi), weeks,
    creators: creators.size, newCreatorShare: share(nNew), coldStartShare: share(cold),
    missing: { audio: share(noAudio), transcript: share(noText), metadata: share(noMeta) },
  };
}

export function auditSplit(
  table: VideoTable, split: Uint8Array, groupId: Int32Array, clusters: Int32Array,
  opts: { creatorGrouping: boolean; coldStartDays: number },
): SplitAudit {
  if (split.length !== table.n || groupId.length !== table.n || clusters.length !== table.n) {
    throw new VigilError(`split audit: assignment has ${split.length} rows, table has ${table.n}`, { field: 'split' });
  }
  const overlaps: OverlapRow[] = [];
  for (const [a, b] of [[TRAIN, CALIB], [TRAIN, TEST], [CALIB, TEST]] as const) {
    overlaps.push({ a: SPLIT_NAMES[a], b: SPLIT_NAMES[b], groups: sharedKeys(split, groupId, a, b),
      nearDupClusters: sharedKeys(split, clusters, a, b), creators: sharedKeys(split, table.creatorId, a, b) });
  }
  const groupOverlapZero = overlaps.every((o) => o.groups === 0 && o.nearDupClusters === 0);
  const creatorOverlapZero = overlaps.every((o) => o.creators === 0);
  const isNew = newCreatorFlags(table, split);
  const splits = {} as Record<SplitName, SplitStats>;
  for (const s of [TRAIN, CALIB, TEST, PURGED]) splits[SPLIT_NAMES[s]] = stats(table, split, s, isNew, opts.coldStartDays);
  return {
    creatorGrouping: opts.creatorGrouping, overlaps, groupOverlapZero, creatorOverlapZero,
    pass: groupOverlapZero && (!opts.creatorGrouping || creatorOverlapZero), splits,
  };
}

/** Throws naming the first pair of splits that share a group (or creator, when grouped). */
export function assertNoOverlap(audit: SplitAudit): void {
  for (const o of audit.overlaps) {
    if (o.groups > 0 || o.nearDupClusters > 0) {
      throw new VigilError(`split leakage: ${o.groups} leakage groups (${o.nearDupClusters} near-duplicate clusters) appear in both ${o.a} and ${o.b}`, { field: 'split' });
    }
    if (audit.creatorGrouping && o.creators > 0) {
      throw new VigilError(`split leakage: ${o.creators} creators appear in both ${o.a} and ${o.b} although creators are grouped`, { field: 'split' });
    }
  }
}
