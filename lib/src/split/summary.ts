/** A plain-text summary of a split (for the CLI and the markdown report). */
import type { SplitAudit } from './audit.js';
import type { SplitReport } from './split.js';
import type { ReuploadRecall } from './reuploadRecall.js';
import { partFractions } from './stratified.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function formatSplitSummary(audit: SplitAudit, report: SplitReport, recall?: ReuploadRecall): string {
  const lines: string[] = [];
  const noTime = report.method === 'stratified-group';
  // What the data forced comes first, in plain words.
  for (const n of report.notes ?? []) lines.push(`note: ${n}`);
  if (report.notes?.length) lines.push('');
  const nd = report.nearDup;
  if (nd.skipped) lines.push(`near-duplicates: ${nd.skipped}`);
  else lines.push(`near-duplicates: ${nd.rowsInClusters} rows in ${nd.clusters - (report.rows - nd.rowsInClusters)} clusters (largest ${nd.largestCluster}); ` +
    `${nd.candidates} candidate pairs, ${nd.links} links, ${nd.oversizeBuckets} oversize buckets, ${nd.ms} ms`);
  if (recall) lines.push(`re-upload pairs in the same cluster: ${recall.recalled}/${recall.truePairs} = ${recall.recall.toFixed(3)}; ` +
    `clustered pairs that are not re-uploads: ${pct(recall.nonReuploadShare)}`);
  lines.push(`leakage groups: ${report.groups.count} (largest ${report.groups.largest}${report.groups.byCreator ? ', joined by creator' : ''})`);
  if (noTime) {
    const f = report.config.noTime;
    lines.push(`parts: stratified group split by label, train ${pct(partFractions(f).train)} / calib ${pct(f.calibFraction)} / test ${pct(f.testFraction)} of rows (seed ${report.seed}); nothing purged`);
  } else {
    lines.push(`windows: train < ${report.windows.trainEnd?.slice(0, 10)} | calib ${report.windows.calibStart?.slice(0, 10)}..${report.windows.calibEnd?.slice(0, 10)} | test ${report.windows.testStart?.slice(0, 10)}..${report.windows.testEnd?.slice(0, 10)} (ends exclusive)`);
    const p = report.purge;
    lines.push(`purged: gaps ${p.gapTrainCalib} + ${p.gapCalibTest}, groups reaching later windows ${p.groupFromTrain} (train) + ${p.groupFromCalib} (calib), ` +
      `outside train window ${p.outsideTrainWindow}; positives purged ${p.positivesPurged}`);
  }
  lines.push('');
  lines.push('split    rows      pos   prevalence  weeks  new-creator  cold-start  no-audio  no-ASR  no-meta');
  for (const [name, s] of Object.entries(audit.splits)) {
    lines.push(`${name.padEnd(7)} ${String(s.rows).padStart(6)} ${String(s.positives).padStart(7)}   ${pct(s.prevalence).padStart(8)}  ${s.weeks.toFixed(1).padStart(5)}` +
      `  ${pct(s.newCreatorShare).padStart(11)}  ${pct(s.coldStartShare).padStart(10)}  ${pct(s.missing.audio).padStart(8)}  ${pct(s.missing.transcript).padStart(6)}  ${pct(s.missing.metadata).padStart(7)}`);
  }
  lines.push('');
  lines.push(`overlap (groups / near-dup clusters / creators): ` + audit.overlaps.map((o) => `${o.a}-${o.b} ${o.groups}/${o.nearDupClusters}/${o.creators}`).join(', ') +
    ` → ${audit.pass ? 'PASS' : 'FAIL'}`);
  const fc = report.foldChoice;
  const kind = fc?.kind === 'grouped' ? 'grouped stratified folds' : 'forward-chaining folds';
  const chosen = fc ? ` (${fc.chosen} of split.folds=${fc.requested})` : '';
  lines.push(`${kind}${chosen}: ` + (report.folds.length === 0 ? 'none' :
    report.folds.map((f) => `#${f.fold} train ${f.trainRows} (${f.trainPositives}+) → val ${f.valRows} (${f.valPositives}+)`).join('; ')));
  const c = report.creatorGroupingCost;
  lines.push(`creator grouping: train rows ${c.without.train} → ${c.with ? c.with.train : 'infeasible'}` +
    (c.trainRowsLostShare !== null ? ` (${pct(c.trainRowsLostShare)} lost)` : c.withError ? ` (${c.withError})` : '') +
    `; busiest 1% of creators upload ${pct(c.top1pctCreatorShare)} of videos`);
  lines.push('point-in-time audit: ' + (report.pointInTime.skipped ? report.pointInTime.skipped :
    report.pointInTime.checks.map((k) => `${k.name} ${k.pass ? 'pass' : 'FAIL'} (${k.violations}/${k.rowsChecked})`).join(', ')));
  return lines.join('\n');
}
