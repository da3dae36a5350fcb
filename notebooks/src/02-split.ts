// %% [markdown]
// # 2. The split
//
// A random row split would put a re-upload of a test video in training and the model would look
// better than it is. Vigil's split instead:
// 1. groups near-duplicates (SimHash over frame and audio embeddings) into leakage groups,
// 2. holds out the **last weeks** for test and the weeks before them for calibration,
// 3. **purges** a gap between the windows and every training/calibration row whose group reaches
//    into a later window,
// 4. audits the result (no shared group, no shared near-duplicate cluster; point-in-time features).
//
// This notebook recomputes the split with the run's config and checks it is the one the run used.

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, pct, fmtCI, makeSplit, splitFingerprint,
  reuploadRecall, formatSplitSummary, barsWithCiSvg, getMetric, SPLIT_NAMES,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table, truth } = await openDataset(cfg);
const run = await openRun(cfg);
const split = makeSplit(table, cfg.split, cfg.data.seed);
console.log(`run ${run.id}`);
console.log(`recomputed split ${splitFingerprint(split.assignment).slice(0, 16)}… run's split ${String(run.manifest.split.fingerprint ?? '').slice(0, 16)}…  same: ${splitFingerprint(split.assignment) === run.manifest.split.fingerprint}`);

// %% [markdown]
// ## Summary
// Windows, groups, purge counts, fold layout and the audit in one block.

// %%
const recall = truth ? reuploadRecall(split.clusters, table.videoId, truth) : undefined;
console.log(formatSplitSummary(split.audit, split.report, recall));

// %% [markdown]
// ## The windows
// Rows, positives and who is in each window. `new creator` = no training row from that creator.

// %%
tslab.display.html(htmlTable(SPLIT_NAMES.map((s) => {
  const st = split.audit.splits[s];
  return {
    split: s, rows: st.rows, positives: st.positives, prevalence: pct(st.prevalence, 3), from: st.firstDay, to: st.lastDay,
    creators: st.creators, 'new creator': pct(st.newCreatorShare, 1), 'cold start': pct(st.coldStartShare, 1),
  };
})));

// %% [markdown]
// ## Groups and purging
// Near-duplicate clusters become leakage groups; rows whose group spans a window boundary are
// purged rather than leaked.

// %%
const r = split.report;
tslab.display.html(htmlTable([
  { item: 'leakage groups', value: r.groups.count },
  { item: 'largest group (rows)', value: r.groups.largest },
  { item: 'groups joined by creator', value: r.groups.byCreator },
  { item: 'purged: gap train→calib', value: r.purge.gapTrainCalib },
  { item: 'purged: gap calib→test', value: r.purge.gapCalibTest },
  { item: 'purged: train rows whose group reaches later', value: r.purge.groupFromTrain },
  { item: 'purged: calib rows whose group reaches test', value: r.purge.groupFromCalib },
  { item: 'purged: before the training window', value: r.purge.outsideTrainWindow },
]));

// %% [markdown]
// ## Near-duplicate recall against the truth
// The simulator knows which uploads are re-uploads of which; the clustering should put them together
// without gluing unrelated videos.

// %%
if (recall) {
  tslab.display.html(htmlTable([
    { measure: 'true re-upload pairs', value: recall.truePairs },
    { measure: 'of them in the same cluster', value: recall.recalled },
    { measure: 'recall', value: pct(recall.recall, 1) },
    { measure: 'clustered pairs', value: recall.clusteredPairs },
    { measure: 'clustered pairs that are not re-uploads', value: `${recall.nonReuploadPairs} (${pct(recall.nonReuploadShare, 1)})` },
  ]));
} else console.log('no truth.parquet: re-upload recall needs the simulator ground truth');

// %% [markdown]
// ## The audit
// No pair of windows may share a leakage group or a near-duplicate cluster. Shared creators are
// allowed unless creator grouping is on (it costs training rows — measured below).

// %%
tslab.display.html(htmlTable(split.audit.overlaps.map((o) => ({ windows: `${o.a} ↔ ${o.b}`, 'shared groups': o.groups, 'shared near-dup clusters': o.nearDupClusters, 'shared creators': o.creators }))));
console.log(`audit ${split.audit.pass ? 'PASSES' : 'FAILS'} (creator grouping ${split.audit.creatorGrouping ? 'on' : 'off'})`);
const cost = r.creatorGroupingCost;
console.log(`creator grouping would keep ${cost.with ? cost.with.train : '—'} training rows instead of ${cost.without.train} (${pct(cost.trainRowsLostShare, 1)} lost); the busiest 1% of creators upload ${pct(cost.top1pctCreatorShare, 1)} of rows`);

// %% [markdown]
// ## Point-in-time features
// `prior_strikes` and `account_age_days` must only use what was known at upload time: strikes never
// decrease along a creator's uploads, account age grows with the calendar.

// %%
tslab.display.html(htmlTable(r.pointInTime.checks.map((c) => ({ check: c.name, creators: c.creatorsChecked, rows: c.rowsChecked, violations: c.violations, pass: c.pass }))));

// %% [markdown]
// ## Cross-validation folds inside the training window
// Forward-chaining folds (train on earlier weeks, validate on the next), purged the same way.

// %%
tslab.display.html(htmlTable(r.folds.map((f) => ({
  fold: f.fold, validation: `${f.valStart} → ${f.valEnd}`, 'train rows': f.trainRows, 'train positives': f.trainPositives,
  'val rows': f.valRows, 'val positives': f.valPositives, 'purged (gap)': f.purgedGap, 'purged (group)': f.purgedGroup,
}))));

// %% [markdown]
// ## The leakage demonstration
// The same logistic baseline, trained and tested under a random row split (re-uploads on both sides)
// and under the leakage-safe split. The random split's numbers are the optimistic ones a careless
// evaluation would report.

// %%
const demo = run.metrics.leakage_demo as { model: string; random: Record<string, unknown>; safe: Record<string, unknown> } | undefined;
if (demo) {
  const bars = [] as { label: string; value: number; lo?: number; hi?: number; group: string }[];
  const rows = [] as Record<string, string>[];
  for (const [setting, block, group] of [['random row split', demo.random, 'leaky'], ['leakage-safe split', demo.safe, 'leakage-safe']] as const) {
    const ap = getMetric(block, 'ap'), rec = getMetric(block, 'recall_at_fpr.0.02');
    if (ap) bars.push({ label: `AP · ${setting}`, value: ap.value, lo: ap.ci?.[0], hi: ap.ci?.[1], group });
    if (rec) bars.push({ label: `recall@2%FPR · ${setting}`, value: rec.value, lo: rec.ci?.[0], hi: rec.ci?.[1], group });
    rows.push({ setting, AP: fmtCI(ap), 'recall @ 2% FPR': fmtCI(rec), 'ROC AUC': fmtCI(getMetric(block, 'roc_auc')) });
  }
  tslab.display.html(htmlTable(rows, { caption: demo.model }));
  tslab.display.svg(await barsWithCiSvg(bars, { title: `Leakage: ${demo.model}`, valueTitle: 'metric on its own test set (95% CI)', domain: [0, 1] }));
} else console.log('this run has no leakage demonstration (compare.leakageDemo is off)');
