/**
 * The leakage-safe split: fingerprints → near-duplicate clusters → leakage groups → temporal holdout
 * with purge → forward-chaining CV folds within train → audit. One call, deterministic given the seed.
 *
 * Datasets that lack what this needs still split, and the report says what was done instead:
 * without upload times the holdout is a seeded, label-stratified group split (creator-grouped, CV
 * folds grouped and stratified) and the point-in-time audit is skipped; without frame embeddings the
 * near-duplicate step is skipped (there is no content to compare); with too few positives for
 * `split.folds` folds, the largest feasible number of folds is used.
 */
import type { VideoTable } from '../data/table.js';
import { timeCoverage } from '../data/table.js';
import type { SplitConfig } from './config.js';
import type { SplitAssignment } from './types.js';
import { SPLIT_NAMES, TRAIN, CALIB, TEST } from './types.js';
import { fitFingerprinter, fingerprintTable, type Fingerprinter } from './fingerprint.js';
import { clusterNearDuplicates, type NearDupResult } from './nearDuplicates.js';
import { leakageGroups, countGroups } from './groups.js';
import { temporalSplit, type PurgeCounts, type TemporalWindows } from './temporal.js';
import { adaptiveForwardFolds, adaptiveGroupedKFold, groupedKFold, type FoldChoice } from './folds.js';
import { stratifiedGroupSplit, partFractions } from './stratified.js';
import { auditSplit, assertNoOverlap, type SplitAudit } from './audit.js';
import { auditPointInTime, type PitReport } from './pointInTime.js';
import { sha256 } from '../util/hash.js';
import { isVigilError, fail } from '../util/errors.js';

export interface FoldSummary {
  /** The value its validation rows carry in the `fold` column. */
  fold: number;
  /** Validation period (ISO); null for grouped folds of a dataset without time. */
  valStart: string | null;
  valEnd: string | null;
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
  /** 'temporal': the recent-time holdout; 'stratified-group': no upload times, groups dealt by label. */
  method: 'temporal' | 'stratified-group';
  /** Plain statements of what the data forced (no timestamps, skipped steps, fewer folds). */
  notes: string[];
  windows: Record<keyof TemporalWindows, string | null>;
  /** `skipped` says why no near-duplicate clustering ran (every row is then its own cluster). */
  nearDup: Omit<NearDupResult, 'cluster'> & { bits: number; modalities: string[]; skipped?: string };
  groups: { count: number; largest: number; byCreator: boolean };
  purge: PurgeCounts;
  folds: FoldSummary[];
  /** Requested and chosen number of CV folds (fewer when the data cannot support the request). */
  foldChoice: FoldChoice;
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

/**
 * The split made the other way (creators grouped or not) for comparison; `splitWith` returns the
 * assignment or, when that design is infeasible, the reason.
 */
function creatorCost(table: VideoTable, mine: Uint8Array, mineByCreator: boolean, splitWith: (byCreator: boolean) => Uint8Array | string): CreatorGroupingCost {
  const other = splitWith(!mineByCreator);
  const mineCounts = keptCounts(table, mine);
  const otherCounts = typeof other === 'string' ? null : keptCounts(table, other);
  const withoutC = mineByCreator ? otherCounts : mineCounts;
  const withC = mineByCreator ? mineCounts : otherCounts;
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

/** Every row its own cluster: what near-duplicate clustering yields when it cannot run. */
function noClusters(n: number): NearDupResult {
  return { cluster: Int32Array.from({ length: n }, (_, i) => i), clusters: n, rowsInClusters: 0, largestCluster: n > 0 ? 1 : 0,
    candidates: 0, links: 0, oversizeBuckets: 0, bands: 0, maxHamming: 0, ms: 0 };
}

const NO_TIME_NOTE = 'no timestamps: stratified group split, not a recent-time holdout';

export function makeSplit(table: VideoTable, cfg: SplitConfig, seed: number): SplitResult {
  const timings: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => { const t0 = Date.now(); const r = f(); timings[name] = Date.now() - t0; return r; };
  const notes: string[] = [];
  // Either every row has an upload time or none has: a few missing times are a data error, not a
  // reason to fall back to a split that no longer measures performance on recent uploads.
  const cov = timeCoverage(table);
  if (cov.kind === 'partial') {
    fail('upload_ts', `a timestamp on every row or on none, but ${cov.missing} of ${table.n} rows lack one (first: video '${table.videoId[cov.firstMissing]}')`, cov.firstMissing);
  }
  const noTime = cov.kind === 'none';
  const fp = time('fingerprintFit', () => fitFingerprinter(table, cfg.nearDup, seed));
  const sigs = time('fingerprint', () => fingerprintTable(fp, table));
  let ndSkipped: string | undefined;
  let nd: NearDupResult;
  if (table.frameDim === 0) {
    // Fingerprints are built on frame embeddings; without them every signature would be the same
    // and every video one "near-duplicate" cluster.
    ndSkipped = 'no frame embeddings in the dataset: near-duplicate clustering skipped (each video is its own cluster)';
    notes.push(ndSkipped);
    nd = noClusters(table.n);
  } else {
    nd = time('nearDuplicates', () => clusterNearDuplicates(sigs, table.n, fp.bits, cfg.nearDup));
  }
  // Without time nothing separates a creator's videos across parts, so creators are always grouped.
  const byCreator = noTime || cfg.groupByCreator;
  const groups = canonicalGroupIds(table.videoId, leakageGroups(table, nd.cluster, byCreator));
  const trainRowsOf = (split: Uint8Array) => { const r: number[] = []; for (let i = 0; i < table.n; i++) if (split[i] === TRAIN) r.push(i); return r; };
  let split: Uint8Array, fold: Int8Array, foldChoice: FoldChoice, folds: FoldSummary[], purge: PurgeCounts;
  let windows: SplitReport['windows'];
  let gk: SplitReport['groupedKFold'];
  let cost: CreatorGroupingCost;
  if (!noTime) {
    const temporal = time('temporal', () => temporalSplit(table, groups, cfg));
    const ff = time('folds', () => adaptiveForwardFolds(table, temporal.split, groups, cfg));
    split = temporal.split; fold = ff.block; foldChoice = ff.choice; purge = temporal.counts;
    windows = Object.fromEntries(Object.entries(temporal.windows).map(([k, v]) => [k, isoOrNull(v)])) as SplitReport['windows'];
    folds = ff.folds.map((f) => ({ fold: f.fold, valStart: new Date(f.valStart).toISOString(), valEnd: new Date(f.valEnd).toISOString(),
      trainRows: f.trainRows.length, valRows: f.valRows.length, trainPositives: f.trainPositives, valPositives: f.valPositives,
      purgedGap: f.purgedGap, purgedGroup: f.purgedGroup }));
    const trainRows = trainRowsOf(split);
    gk = time('groupedKFold', () => {
      try {
        const r = groupedKFold(table, trainRows, leakageGroups(table, nd.cluster, true), cfg.folds, cfg.minFoldPositives, seed);
        return { rows: r.rows, positives: r.positives };
      } catch (e) { if (isVigilError(e)) return { error: e.message }; throw e; }
    });
    cost = time('creatorGroupingCost', () => creatorCost(table, split, cfg.groupByCreator,
      (b) => temporalOrError(table, leakageGroups(table, nd.cluster, b), { ...cfg, groupByCreator: b })));
  } else {
    notes.unshift(NO_TIME_NOTE);
    const fr = partFractions(cfg.noTime);
    split = time('stratified', () => stratifiedGroupSplit(table, groups, fr, seed));
    const trainRows = trainRowsOf(split);
    const g = time('folds', () => adaptiveGroupedKFold(table, trainRows, groups, cfg.folds, cfg.minFoldPositives, seed));
    foldChoice = g.choice;
    fold = g.result ? g.result.fold : new Int8Array(table.n).fill(-1);
    // The grouped k-fold counted each fold's rows and positives; a fold trains on the rest.
    const r = g.result;
    const totalPositives = r ? r.positives.reduce((a, b) => a + b, 0) : 0;
    folds = r ? r.rows.map((va, f) => ({
      fold: f, valStart: null, valEnd: null, trainRows: trainRows.length - va, valRows: va,
      trainPositives: totalPositives - r.positives[f], valPositives: r.positives[f], purgedGap: 0, purgedGroup: 0,
    })) : [];
    gk = g.result ? { rows: g.result.rows, positives: g.result.positives } : { error: foldChoice.reason ?? 'no folds' };
    purge = { gapTrainCalib: 0, gapCalibTest: 0, outsideTrainWindow: 0, groupFromTrain: 0, groupFromCalib: 0, positivesPurged: 0 };
    windows = { dataStart: null, trainStart: null, trainEnd: null, calibStart: null, calibEnd: null, testStart: null, testEnd: null };
    cost = time('creatorGroupingCost', () => creatorCost(table, split, true,
      (b) => stratifiedGroupSplit(table, canonicalGroupIds(table.videoId, leakageGroups(table, nd.cluster, b)), fr, seed)));
  }
  if (foldChoice.chosen === 0) {
    notes.push(`no CV folds (split.folds=${foldChoice.requested} requested; the fold column is null): ${foldChoice.reason}`);
  } else if (foldChoice.chosen < foldChoice.requested) {
    notes.push(`${foldChoice.chosen} ${foldChoice.kind} CV folds instead of split.folds=${foldChoice.requested}, the most the data supports: ${foldChoice.reason}`);
  }
  const assignment: SplitAssignment = { videoId: [...table.videoId], groupId: groups, split, fold };
  const audit = time('audit', () => auditSplit(table, assignment.split, groups, nd.cluster, { creatorGrouping: byCreator, coldStartDays: cfg.coldStartDays }));
  assertNoOverlap(audit);
  let pit: PitReport;
  if (noTime) {
    pit = { pass: true, checks: [], skipped: 'no timestamps: the point-in-time audit (prior_strikes, account_age_days against upload_ts) was skipped' };
    notes.push(pit.skipped!);
  } else {
    pit = time('pointInTime', () => auditPointInTime(table));
  }
  const sizes = new Map<number, number>();
  for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const { cluster: _c, ...ndStats } = nd;
  const report: SplitReport = {
    rows: table.n, seed, config: cfg,
    method: noTime ? 'stratified-group' : 'temporal',
    notes,
    windows,
    nearDup: { ...ndStats, bits: fp.bits, modalities: fp.modalities, ...(ndSkipped ? { skipped: ndSkipped } : {}) },
    groups: { count: countGroups(groups), largest: [...sizes.values()].reduce((m, v) => Math.max(m, v), 0), byCreator },
    purge,
    folds,
    foldChoice,
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
