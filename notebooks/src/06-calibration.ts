// %% [markdown]
// # 6. Calibration
//
// The policy thresholds are set on **probabilities** ("block when P(harmful) ≥ t"), so scores must
// mean what they say. The raw network output is not a probability: training dropped negatives and
// up-weighted positives. Calibration fits a map from the raw logit (after the `log r` downsampling
// shift) to a probability on the **calibration window** — weeks the model never trained on — trying
// Platt scaling, isotonic regression and temperature scaling, and keeps the one with the lowest
// held-out log loss (cross-validated over creator groups).
//
// Below: the choice, then reliability on the **test window** before and after, scored through the
// exported ONNX graph.

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, fmtCI, getMetric, alignSplit, rowsOfSplit, scoreWithOnnx,
  reliabilityDiagram, reliabilitySvg, stableSigmoid, evaluate, TEST,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table } = await openDataset(cfg);
const run = await openRun(cfg);
console.log(`run ${run.id}; methods tried: ${cfg.calibration.methods.join(', ')}`);

// %% [markdown]
// ## Method choice (calibration window, cross-validated)

// %%
type Cand = { heldout_logloss: number; heldout_brier: number };
const sel = (run.metrics.calibration as { chosen: string; selection: { chosen: string; candidates: Record<string, Cand>; uncalibrated: Cand; folds: number; unit: string; rows: number; shift: number } }).selection;
tslab.display.html(htmlTable([
  ...Object.entries(sel.candidates).map(([method, c]) => ({ method: method === sel.chosen ? `${method} (chosen)` : method, 'held-out log loss': c.heldout_logloss.toFixed(5), 'held-out Brier': c.heldout_brier.toFixed(5) })),
  { method: 'uncalibrated (sigmoid of the raw logit)', 'held-out log loss': sel.uncalibrated.heldout_logloss.toFixed(5), 'held-out Brier': sel.uncalibrated.heldout_brier.toFixed(5) },
], { caption: `${sel.folds}-fold by ${sel.unit} over ${sel.rows} calibration rows; logit shift log r = ${sel.shift.toFixed(3)}` }));

// %% [markdown]
// ## ECE and Brier on the test window, before and after

// %%
const before = run.metrics.uncalibrated as { test: Record<string, unknown> } | undefined;
tslab.display.html(htmlTable([
  { scores: 'uncalibrated', ECE: fmtCI(getMetric(before?.test, 'ece'), 4), Brier: fmtCI(getMetric(before?.test, 'brier'), 4) },
  { scores: `calibrated (${sel.chosen})`, ECE: fmtCI(getMetric(run.metrics.test, 'ece'), 4), Brier: fmtCI(getMetric(run.metrics.test, 'brier'), 4) },
]));
const cmp = run.reportInput.reliability?.comparison;
if (cmp) tslab.display.html(htmlTable(cmp.map((c) => ({ method: c.method, ECE: c.ece.toFixed(4), Brier: c.brier.toFixed(4), 'log loss': c.logLoss?.toFixed(4) ?? '—' })), { caption: 'Every candidate on the test window (for reference; the choice used only the calibration window)' }));

// %% [markdown]
// ## Reliability diagrams
// Equal-mass bins of the test window; x = mean predicted probability, y = observed harmful rate with
// its 95% interval. Perfect calibration lies on the diagonal.

// %%
const testRows = rowsOfSplit(alignSplit(run.split, table.videoId), TEST);
const scored = await scoreWithOnnx(run.dir, table, testRows);
const labels = testRows.map((r) => table.harmful[r]), weights = testRows.map((r) => table.weight[r]);
const toChart = (bins: ReturnType<typeof reliabilityDiagram>['bins']) => bins.map((b) => ({ predicted: b.mean_pred, observed: b.observed, count: b.rows, lo: b.ci[0], hi: b.ci[1] }));
const uncal = Float64Array.from(scored.logit, (z) => stableSigmoid(z));
tslab.display.svg(await reliabilitySvg(toChart(reliabilityDiagram(uncal, labels, weights, 10).bins), { title: 'Before: sigmoid of the raw logit' }));
tslab.display.svg(await reliabilitySvg(toChart(reliabilityDiagram(scored.risk, labels, weights, 10).bins), { title: `After: ${sel.chosen} (ONNX risk output)` }));

// %%
// The ONNX graph's calibrated output reproduces the run's test metrics.
const again = evaluate(scored.risk, labels, weights, testRows.map((r) => table.creatorId[r]), { ...cfg.eval, bootstrap: 0 });
console.log(`ECE from ONNX scores ${fmtCI(getMetric(again as never, 'ece'), 4)} vs run ${fmtCI(getMetric(run.metrics.test, 'ece'), 4)}`);
console.log(`AP  from ONNX scores ${fmtCI(getMetric(again as never, 'ap'), 4)} vs run ${fmtCI(getMetric(run.metrics.test, 'ap'), 4)}`);
