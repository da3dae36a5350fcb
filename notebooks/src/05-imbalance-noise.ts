// %% [markdown]
// # 5. Imbalance and label noise
//
// **Imbalance.** Harm is a fraction of a percent of uploads. Training keeps every positive, keeps
// negatives at rate `r` (`train.negativeKeepRate`), and up-weights positives
// (`train.positiveWeight`, or a focal loss). Neither is a fixed constant: the training recipe derives
// them, with the batch size and the number of epochs, from the training rows' size and class balance
// (downsampling only when negatives vastly outnumber positives and rows are plentiful; on a small,
// balanced set it keeps every negative, weight 1, small batches, many epochs), and an explicit config
// value always wins. Dropping negatives inflates the odds by `1/r`, so a
// score `p` from the trained model maps back to the stream's probability by
// `q = p / (p + (1 − p) / r)` — the same as adding `log r` to the logit, which the calibrator does.
//
// **Noise.** Moderator labels are wrong sometimes (and more often for borderline content). Confident
// learning scores every training row out-of-fold and flags rows whose label the model confidently
// disagrees with; flagged rows are down-weighted. The simulator's true labels tell us whether that
// helps.

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, fmtCI, pct, metricRows, getMetric, alignSplit, rowsOfSplit,
  downsamplingShift, stableSigmoid, barsWithCiSvg, openCompanionRun, runTrainConfig, TRAIN,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table } = await openDataset(cfg);
const run = await openRun(cfg);
// The values the run trained with: explicit config values plus the recipe derived from its training rows.
const { train: t, recipe } = runTrainConfig(run, table, cfg);
tslab.display.html(htmlTable(recipe.entries.map((e) => ({ setting: e.field, value: e.value, source: e.source, why: e.reason })),
  { caption: 'Training recipe: derived from the training rows unless the config sets a value' }));
tslab.display.html(htmlTable([
  { setting: 'loss', value: t.loss === 'focal' ? `focal (γ = ${t.focalGamma})` : 'binary cross-entropy' },
  { setting: 'noise', value: t.noise },
  { setting: 'noiseAction / noiseWeight', value: `${t.noiseAction} / ${t.noiseWeight}` },
], { caption: 'Loss and label-noise settings' }));

// %% [markdown]
// ## What the model sees in training

// %%
const trainRows = rowsOfSplit(alignSplit(run.split, table.videoId), TRAIN);
const pos = trainRows.filter((r) => table.harmful[r] === 1).length, neg = trainRows.length - pos;
const seenNeg = neg * t.negativeKeepRate;
tslab.display.html(htmlTable([
  { view: 'stored training rows', positives: pos, negatives: neg, 'positive share': pct(pos / trainRows.length) },
  { view: `after keeping negatives at r = ${t.negativeKeepRate}`, positives: pos, negatives: Math.round(seenNeg), 'positive share': pct(pos / (pos + seenNeg)) },
  { view: `loss mass with positives × ${t.positiveWeight}`, positives: pos * t.positiveWeight, negatives: Math.round(seenNeg), 'positive share': pct(pos * t.positiveWeight / (pos * t.positiveWeight + seenNeg)) },
]));

// %% [markdown]
// ## The downsampling correction, numerically
// The closed form and the logit shift give the same probabilities; the shift is what calibration
// applies (`metrics.calibration.selection.shift`).

// %%
const r = t.negativeKeepRate, shift = downsamplingShift(r);
const logit = (p: number) => Math.log(p / (1 - p));
tslab.display.html(htmlTable([0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99].map((p) => ({
  'trained score p': p, 'q = p/(p+(1−p)/r)': (p / (p + (1 - p) / r)).toFixed(5), 'σ(logit p + log r)': stableSigmoid(logit(p) + shift).toFixed(5),
}))));
const sel = (run.metrics.calibration as { selection?: { shift?: number } } | undefined)?.selection;
console.log(`log r = ${shift.toFixed(4)}; the run's calibrator applied shift ${sel?.shift?.toFixed(4) ?? '—'}`);

// %% [markdown]
// ## The confident-learning audit
// Which training labels the out-of-fold model disputes, and — from the simulator's truth — how many
// of those are really mislabelled.

// %%
const noise = run.reportInput.labelNoise;
if (noise) {
  console.log(noise.method ?? '');
  if (noise.estimatedFlipRate) console.log(`estimated flip rate ${fmtCI(noise.estimatedFlipRate)}`);
  tslab.display.html(htmlTable(noise.rows.slice(0, 15).map((x) => ({ video: x.videoId, label: x.label, 'out-of-fold score': x.score.toFixed(3), why: x.reason })),
    { caption: `Flagged training rows (${Math.min(15, noise.rows.length)} of ${noise.rows.length})` }));
} else console.log('this run trained without the noise step (train.noise = none)');

// %% [markdown]
// ## Observed vs true labels
// The test window's labels are themselves noisy: the same scores evaluated against the moderator
// labels and against the true labels, next to the oracle (the simulator's own probability — the
// ceiling any model could reach on these features).

// %%
const truth = run.metrics.truth as { observed?: object; true_labels?: object; oracle?: { observed?: object; true_labels?: object } } | undefined;
if (truth) {
  tslab.display.html(htmlTable(metricRows({
    'fusion vs observed labels': truth.observed, 'fusion vs true labels': truth.true_labels,
    'oracle vs observed labels': truth.oracle?.observed, 'oracle vs true labels': truth.oracle?.true_labels,
  })));
} else console.log('no truth.parquet: true-label metrics need the simulator ground truth');

// %% [markdown]
// ## With and without the noise step
// The same model trained on the raw labels: the `fusion:no_noise` variant when the config compares
// it, or the `experiments/no-noise.json` run on the same split — which also carries metrics against
// the true labels, the comparison that matters (the noise step is meant to help against the truth,
// not against the noisy labels).

// %%
const models = run.metrics.models ?? {};
const other = openCompanionRun('no-noise', cfg);
const sameSplit = other !== null && other.manifest.split.fingerprint === run.manifest.split.fingerprint;
const otherTruth = sameSplit ? (other!.metrics.truth as typeof truth) : undefined;
const blocks: Record<string, object | undefined> = {
  'fusion (noise step) vs observed': models['fusion']?.test,
  'fusion (noise step) vs true labels': truth?.true_labels,
  'raw labels vs observed': models['fusion:no_noise']?.test ?? (sameSplit ? other!.metrics.test : undefined),
  'raw labels vs true labels': otherTruth?.true_labels,
};
tslab.display.html(htmlTable(metricRows(blocks), { caption: sameSplit ? `raw-label model: run ${other!.id}` : 'Test window' }));
const bars = Object.entries(blocks).flatMap(([label, b]) => {
  const ap = b ? getMetric(b as never, 'ap') : undefined;
  return ap ? [{ label, value: ap.value, lo: ap.ci?.[0], hi: ap.ci?.[1], group: label.startsWith('fusion') ? 'noise step' : 'raw labels' }] : [];
});
if (bars.length > 2) tslab.display.svg(await barsWithCiSvg(bars, { title: 'Label-noise handling: AP on the test window', valueTitle: 'AP (95% CI)' }));
else console.log('no raw-label model on this split (add fusion:no_noise to compare.variants or run experiments/no-noise.json)');
