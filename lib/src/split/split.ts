/**
 * The leakage-safe split: fingerprints → near-duplicate clusters → leakage groups → temporal holdout
 * with purge → forward-chaining CV folds within train → audit. One call, deterministic given the seed.
 */
import type { VideoTable } from '../data/table.js';
import type { SplitConfig } from './config.js';
import type { SplitAssignment } from './types.js';
import { SPLIT_NAMES, TRAIN, CALIB, TEST } from './types.js';
import { fitFingerprinter, fingerprintTable, type Fingerprinter } from './fingerprint.js';
import { clusterNearDuplicates, type NearDupResult } from './nearDuplicates.js';
import { leakageGroups, countGroups } from './groups.js';
import { temporalSplit, type PurgeCounts, type TemporalWindows } from './temporal.js';
import { forwardChainingFolds, groupedKFold } from './folds.js';
import { auditSplit, assertNoOverlap, type SplitAudit } from './audit.js';
import { auditPointInTime, type PitReport } from './pointInTime.js';
import { sha256 } from '../util/hash.js';
import { isVigilError } from '../util/errors.js';

export interface FoldSummary {
  fold: number;
  valStart: string;
  valEnd: string;
  trainRows: number;
  valRows: number;
  trainPositives: number;
  valPositives: number;
  purgedGap: number;
  purgedGroup: number;
}

/** What grouping the holdout by creator would cost (or costs, when it is on) versus not. */
export interface CreatorGroupingCost {
  /** Rows kept in train / calib / test without and with creator grouping. */
  without: { train: number; calib: number; test: number; positives: number };
  with: { train: number; calib: number; test: number; positives: number } | null;
  /** Set when the creator-grouped split is infeasible (e.g. an empty training window). */
  withError?: string;
  /** Share of the training rows lost to creator grouping. */
  trainRowsLostShare: number | null;
  /** Share of all rows uploaded by the busiest 1% of creators (how heavy-tailed activity is). */
  top1pctCreatorShare: number;
}

export interface SplitReport {
  rows: number;
  seed: number;
  config: SplitConfig;
  windows: Record<keyof TemporalWindows, string | null>;
  nearDup: Omit<NearDupResult, 'cluster'> & { bits: number; modalities: string[] };
  groups: { count: number; largest: number; byCreator: boolean };
  purge: PurgeCounts;
  folds: FoldSummary[];
  /** The non-temporal grouped (creator + near-duplicate) k-fold over the training rows, for comparison. */
  groupedKFold: { rows: number[]; positives: number[] } | { error: string };
  creatorGroupingCost: CreatorGroupingCost;
  pointInTime: PitReport;
  timingsMs: Record<string, number>;
}

export interface SplitResult {
  assignment: SplitAssignment;
  audit: SplitAudit;
  report: SplitReport;
  /** Near-duplicate cluster per row (before creator joining); for recall against truth. */
  clusters: Int32Array;
  fingerprinter: Fingerprinter;
  /** Row signatures (n × bits/32), e.g. to build a known-content index of blocked videos. */
  signatures: Uint32Array;
}

const isoOrNull = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);

function keptCounts(table: VideoTable, split: Uint8Array) {
  const c = { train: 0, calib: 0, test: 0, positives: 0 };
  for (let i = 0; i < table.n; i++) {
    if (split[i] === TRAIN) c.train++; else if (split[i] === CALIB) c.calib++; else if (split[i] === TEST) c.test++; else continue;
    if (table.harmful[i] === 1) c.positives++;
  }
  return c;
}

function creatorCost(table: VideoTable, clusters: Int32Array, cfg: SplitConfig, mine: Uint8Array): CreatorGroupingCost {
  const other = temporalOrError(table, leakageGroups(table, clusters, !cfg.groupByCreator), { ...cfg, groupByCreator: !cfg.groupByCreator });
  const mineCounts = keptCounts(table, mine);
  const otherCounts = typeof other === 'string' ? null : keptCounts(table, other);
  const withoutC = cfg.groupByCreator ? otherCounts : mineCounts;
  const withC = cfg.groupByCreator ? mineCounts : otherCounts;
  const perCreator = new Map<string, number>();
  for (const c of table.creatorId) perCreator.set(c, (perCreator.get(c) ?? 0) + 1);
  const sizes = [...perCreator.values()].sort((a, b) => b - a);
  const top = sizes.slice(0, Math.max(1, Math.ceil(sizes.length / 100))).reduce((a, b) => a + b, 0);
  return {
    without: withoutC ?? { train: 0, calib: 0, test: 0, positives: 0 },
    with: withC,
    ...(typeof other === 'string' ? { withError: other } : {}),
    trainRowsLostShare: withoutC && withC && withoutC.train > 0 ? 1 - withC.train / withoutC.train : null,
    top1pctCreatorShare: table.n > 0 ? top / table.n : 0,
  };
}

function temporalOrError(table: VideoTable, groups: Int32Array, cfg: SplitConfig): Uint8Array | string {
  try { return temporalSplit(table, groups, cfg).split; } catch (e) {
    if (isVigilError(e)) return e.message;
    throw e;
  }
}

/**
 * Renumber groups by their smallest video_id, so group ids depend on the content of the groups and
 * not on the order rows happen to be stored in.
 */
export function canonicalGroupIds(videoId: string[], labels: Int32Array): Int32Array {
  const minId = new Map<number, string>();
  for (let i = 0; i < labels.length; i++) {
    const m = minId.get(labels[i]);
    if (m === undefined || videoId[i] < m) minId.set(labels[i], videoId[i]);
  }
  const order = [...minId.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const newId = new Map<number, number>();
  order.forEach(([g], k) => newId.set(g, k));
  return Int32Array.from(labels, (g) => newId.get(g)!);
}

export function makeSplit(table: VideoTable, cfg: SplitConfig, seed: number): SplitResult {
  const timings: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => { const t0 = Date.now(); const r = f(); timings[name] = Date.now() - t0; return r; };
  const fp = time('fingerprintFit', () => fitFingerprinter(table, cfg.nearDup, seed));
  const sigs = time('fingerprint', () => fingerprintTable(fp, table));
  const nd = time('nearDuplicates', () => clusterNearDuplicates(sigs, table.n, fp.bits, cfg.nearDup));
  const groups = canonicalGroupIds(table.videoId, leakageGroups(table, nd.cluster, cfg.groupByCreator));
  const temporal = time('temporal', () => temporalSplit(table, groups, cfg));
  const ff = time('folds', () => forwardChainingFolds(table, temporal.split, groups, cfg));
  const assignment: SplitAssignment = { videoId: [...table.videoId], groupId: groups, split: temporal.split, fold: ff.block };
  const audit = time('audit', () => auditSplit(table, assignment.split, groups, nd.cluster, { creatorGrouping: cfg.groupByCreator, coldStartDays: cfg.coldStartDays }));
  assertNoOverlap(audit);
  const pit = time('pointInTime', () => auditPointInTime(table));
  const trainRows: number[] = [];
  for (let i = 0; i < table.n; i++) if (assignment.split[i] === TRAIN) trainRows.push(i);
  const gk = time('groupedKFold', () => {
    try {
      const r = groupedKFold(table, trainRows, leakageGroups(table, nd.cluster, true), cfg.folds, cfg.minFoldPositives, seed);
      return { rows: r.rows, positives: r.positives };
    } catch (e) { if (isVigilError(e)) return { error: e.message }; throw e; }
  });
  const cost = time('creatorGroupingCost', () => creatorCost(table, nd.cluster, cfg, assignment.split));
  const sizes = new Map<number, number>();
  for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const { cluster: _c, ...ndStats } = nd;
  const report: SplitReport = {
    rows: table.n, seed, config: cfg,
    windows: Object.fromEntries(Object.entries(temporal.windows).map(([k, v]) => [k, isoOrNull(v)])) as SplitReport['windows'],
    nearDup: { ...ndStats, bits: fp.bits, modalities: fp.modalities },
    groups: { count: countGroups(groups), largest: [...sizes.values()].reduce((m, v) => Math.max(m, v), 0), byCreator: cfg.groupByCreator },
    purge: temporal.counts,
    folds: ff.folds.map((f) => ({ fold: f.fold, valStart: new Date(f.valStart).toISOString(), valEnd: new Date(f.valEnd).toISOString(),
      trainRows: f.trainRows.length, valRows: f.valRows.length, trainPositives: f.trainPositives, valPositives: f.valPositives,
      purgedGap: f.purgedGap, purgedGroup: f.purgedGroup })),
    groupedKFold: gk,
    creatorGroupingCost: cost,
    pointInTime: pit,
    timingsMs: timings,
  };
  return { assignment, audit, report, clusters: nd.cluster, fingerprinter: fp, signatures: sigs };
}

/** sha256 of the split's content, independent of row order (rows sorted by video_id). */
export function splitFingerprint(a: SplitAssignment): string {
  const order = a.videoId.map((_, i) => i).sort((x, y) => (a.videoId[x] < a.videoId[y] ? -1 : a.videoId[x] > a.videoId[y] ? 1 : 0));
  const lines = order.map((i) => `${a.videoId[i]}\t${a.groupId[i]}\t${SPLIT_NAMES[a.split[i]]}\t${a.fold[i] < 0 ? '' : a.fold[i]}`);
  return sha256(lines.join('\n'));
}
