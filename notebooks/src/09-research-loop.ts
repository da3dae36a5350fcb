// %% [markdown]
// # 9. The research loop: change one thing, train, compare, keep
//
// Notebooks 01–08 read a finished run. This one makes a new one. A researcher changes **one value**
// of the experiment config, trains that variant on the same data and split as the reference run
// (inside this kernel, with a live progress line), reads it on the calibration window, puts it
// through the same promotion gate as `vigil compare` (paired creator bootstrap on the test weeks),
// and saves it as a versioned run folder when it passes — the `vigil run` writer, so it shows up in
// `vigil runs` and `reports/index.html` like any other run.
//
// To keep a variant inside a notebook's budget (≤ 3 minutes on a 2-core machine for `default`), the
// loop skips what only the full run needs: the side-by-side models (`compare.variants`, so model
// selection keeps the fused model) and the leakage demonstration; the fitted preprocessing is reused
// from the reference run when the split is the same (it is fitted on the same training rows).

// %%
import * as tslab from 'tslab';
import { relative } from 'node:path';
import {
  setQuiet, notebookConfig, openDataset, openRun, readRun, listRuns, htmlTable, metricRows, fmtCI,
  trainVariant, evaluateOnCalibration, runOnCalibration, compareWithRun, saveVariant, barsWithCiSvg, getMetric, repoRoot,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const ds = await openDataset(cfg);
const run = await openRun(cfg);
const reference = readRun(run.dir);
console.log(`reference run: ${run.id} (${cfg.name}; pooling ${cfg.model.pooling}, fusion head ${cfg.model.fusion})`);

// %% [markdown]
// ## The idea
// Harm in these videos sits in a few seconds of a long upload. The reference pools each frame
// sequence with gated **attention**; **max pooling** keeps, per hidden unit, the strongest frame —
// also able to find a short segment, with no attention weights to learn (fewer parameters, a
// cheaper graph). Does it match attention? Change `model.pooling` and nothing else.

// %%
const idea = { model: { pooling: 'max' } };
// Notebook budget: no side-by-side models, no leakage demo (the full `vigil run` keeps both).
const budget = { compare: { variants: [] as string[], leakageDemo: false } };
const line = tslab.newDisplay();
const epochs: string[] = [];
const variant = await trainVariant(ds, cfg, { ...idea, ...budget }, {
  name: `${cfg.name}-max-pooling`, referenceDir: run.dir,
  onProgress: (l: string) => { line.text(l); if (l.startsWith('train: epoch')) epochs.push(l); },
});
tslab.display.html(htmlTable(variant.changes.map((c) => ({ setting: c.path, reference: JSON.stringify(c.from), variant: JSON.stringify(c.to) })),
  { caption: `What changed (trained in ${variant.seconds.toFixed(0)} s; preprocessing ${variant.fit.reusedPreprocessor ? 'reused from the reference run' : 'fitted again'})` }));
console.log(epochs.join('\n'));

// %% [markdown]
// ## Calibration window first
// While iterating, read the calibration weeks (the window the model already used for early stopping
// and calibration): the test weeks are for the decision, not for tuning.

// %%
const refCalib = await runOnCalibration(run, ds, cfg);
const varCalib = evaluateOnCalibration(ds, variant);
tslab.display.html(htmlTable(metricRows({ [`reference (${cfg.model.pooling})`]: refCalib, [`variant (${variant.config.model.pooling})`]: varCalib }),
  { caption: 'Calibration window, 95% bootstrap CIs over creators' }));
console.log(`best epoch ${variant.fit.fusedAll.bestEpoch}/${variant.fit.train.epochs}; exported: ${variant.fit.selection.exported}; calibrator ${variant.fit.calibrator.method}`);

// %% [markdown]
// ## The gate: paired against the reference run
// `compareWithRun` is `vigil compare REFERENCE VARIANT` on the variant still in memory: both score
// the same test creators on the same bootstrap resamples, so each difference gets the interval of
// the paired differences. A significant drop beyond the gate's tolerance rejects the variant.

// %%
const cmp = compareWithRun(reference, ds, variant);
const shown = cmp.rows.filter((r) => r.slice === 'overall' || (r.gated && r.significant));
tslab.display.html(htmlTable(shown.map((r) => ({
  metric: r.metric, slice: r.slice, reference: fmtCI(r.a), variant: fmtCI(r.b),
  'Δ (variant − reference)': r.delta === null ? '—' : (r.delta >= 0 ? '+' : '') + r.delta.toFixed(4),
  '95% CI of Δ': r.ci ? `[${r.ci[0].toFixed(4)}, ${r.ci[1].toFixed(4)}] ${r.ciMethod}` : '—',
  gate: r.fails ? 'FAIL' : r.gated ? 'ok' : '',
})), { caption: `Test weeks: verdict ${cmp.verdict.toUpperCase()} (${cmp.ciMethod} intervals)` }));
for (const why of cmp.reasons) console.log(`- ${why}`);
const apRow = cmp.rows.find((r) => r.metric === 'ap' && r.slice === 'overall');
const bars = [['reference', reference.metrics.test], ['variant', { ap: apRow?.b }]].flatMap(([label, block]) => {
  const ap = getMetric(block as Record<string, unknown>, 'ap');
  return ap ? [{ label: `${label as string} AP`, value: ap.value, lo: ap.ci?.[0], hi: ap.ci?.[1], group: label as string }] : [];
});
if (apRow?.ci && apRow.delta !== null) bars.push({ label: 'paired Δ AP', value: apRow.delta, lo: apRow.ci[0], hi: apRow.ci[1], group: 'difference' });
tslab.display.svg(await barsWithCiSvg(bars, { title: `${cfg.model.pooling} → ${variant.config.model.pooling} pooling: test AP and the paired difference`, valueTitle: 'AP / Δ AP (95% CI)' }));

// %% [markdown]
// ## Keep it
// Every variant tried is saved as a versioned run (export, parity check, report and all), so it is
// listed by `vigil runs` and the reports index beside the reference and can be compared again
// later. Saving is not promoting: the verdict above is what `vigil promote` checks, and a rejected
// variant is never served.

// %%
const saved = await saveVariant(ds, variant);
const rel = (p: string) => relative(repoRoot(), p);
console.log(`saved: ${rel(saved.runDir)} (gate verdict: ${cmp.verdict})`);
console.log(`report: ${rel(saved.reportPath)}`);
const runs = listRuns(cfg.runsDir).filter((r) => r.configName === cfg.name || r.configName === variant.name);
tslab.display.html(htmlTable(runs.slice(-4).map((r) => ({
  run: r.id, config: r.configName ?? '', 'test AP': fmtCI(r.ap), 'recall @ 2% FPR': fmtCI(r.recallAt2Fpr), 'policy feasible': String(r.feasible),
})), { caption: `vigil runs (this config and the variant); ${rel(saved.indexPath)} lists them all` }));

// %% [markdown]
// ## What the committed run says
// On `default` (seed 1) max pooling lost: test AP 0.477 against 0.560, paired Δ −0.083
// [−0.138, −0.015]; recall at 2% FPR 0.756 against 0.845, Δ −0.089 [−0.129, −0.053]; the drop is
// largest on non-English transcripts (recall −0.23) and new creators (AP −0.15), and only the
// no-audio slice gained (AP +0.10 [+0.03, +0.18]). The gate rejected it: it is saved as a run for the record, not promoted. One
// caveat the epoch lines show: the calibration AP was still rising at the last of the 14 epochs —
// for the variant (0.460 → 0.546 over epochs 11–14) and for the reference too (0.554 → 0.607 in the
// run's log) — so this compares the two poolings on the reference's schedule; the next one-value
// change to try is `train.epochs`, for both. Fitting the variant took 84–202 s over six executions
// on this 2-core machine while other jobs shared it (load average 3–10; the committed one is printed
// above; preprocessing reused from the reference run each time): inside the 3-minute budget when
// the machine is not shared, just over it when it is.
