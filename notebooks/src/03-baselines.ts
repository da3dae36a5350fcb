// %% [markdown]
// # 3. Baselines
//
// Before any deep model: what do simple models get on the same leakage-safe split?
// - a **metadata CART** (account age, strikes, country, device, hour, duration) — readable rules,
//   the "can we do this without looking at the video?" question;
// - **logistic regression** on pooled (mean) embeddings of every modality;
// - **single-modality towers** — the fusion network with one tower.
//
// The CART is fitted here, live, with the library's `fitCart`; the other numbers are read from the
// run's `metrics.json` (test window, 95% bootstrap intervals over creator groups).

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, fmtCI, metricRows, fitPreprocessor, fitCart, cartRules,
  predictCart, rowsOfSplit, alignSplit, evaluate, getMetric, prepareScored, curveOf, prCurve, prCurveSvg, thin, TRAIN, TEST,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table } = await openDataset(cfg);
const run = await openRun(cfg);
const assignment = alignSplit(run.split, table.videoId);
const trainRows = rowsOfSplit(assignment, TRAIN), testRows = rowsOfSplit(assignment, TEST);
console.log(`run ${run.id}: ${trainRows.length} training rows, ${testRows.length} test rows`);

// %% [markdown]
// ## Metadata CART
// Fitted on the training window (all positives plus a sample of negatives; leaf probabilities are
// corrected back for that sampling). The printed rules are the whole model.

// %%
const fitted = fitPreprocessor(table, trainRows, cfg.features);
const cart = fitCart(table, trainRows, fitted);
console.log(cartRules(cart));

// %%
const cartScores = predictCart(cart, table, testRows);
const labels = testRows.map((r) => table.harmful[r]), weights = testRows.map((r) => table.weight[r]);
const groups = testRows.map((r) => table.creatorId[r]);
const cartBlock = evaluate(cartScores, labels, weights, groups, cfg.eval);
tslab.display.html(htmlTable(metricRows({ 'cart (fitted here)': cartBlock, 'cart (run)': run.metrics.models?.cart?.test }),
  { caption: 'The CART refitted here reproduces the run (same seed, same split)' }));

// %% [markdown]
// ## Every model the run compared
// `fusion` is the main model (calibrated); the others are the baselines and ablations listed in
// the config's `compare.variants`.

// %%
const models = Object.fromEntries(Object.entries(run.metrics.models ?? {}).map(([k, v]) => [k, v.test]));
tslab.display.html(htmlTable(metricRows(models), { caption: `Test window, ${run.metrics.test.n} videos (${run.metrics.test.positives} harmful)` }));
const fusionAp = getMetric(run.metrics.test, 'ap');
for (const [name, block] of Object.entries(models)) {
  const ap = getMetric(block, 'ap');
  if (name !== 'fusion' && ap && fusionAp) console.log(`${name.padEnd(16)} AP ${fmtCI(ap)}  vs fusion ${fusionAp.value.toFixed(3)}  (${ap.value > fusionAp.value ? 'above' : 'below'})`);
}

// %% [markdown]
// ## Precision–recall: CART vs the fusion model

// %%
const pr = prCurve(curveOf(prepareScored(cartScores, labels, weights)));
const cartSeries = { name: 'metadata CART', points: thin(Array.from(pr.recall, (r, k) => ({ recall: r, precision: pr.precision[k] }))) };
const fusionSeries = (run.reportInput.curves?.pr ?? []).slice(0, 1);
tslab.display.svg(await prCurveSvg([...fusionSeries, cartSeries], { prevalence: run.reportInput.curves?.prevalence, title: 'Precision–recall on the test window' }));
