// %% [markdown]
// # 4. Late fusion
//
// One tower per modality — metadata (MLP), visual (frame sequence), audio (segment sequence),
// text (TF-IDF over a fitted n-gram vocabulary) — each producing a logit; a fusion head combines them.
// Sequences are **pooled** over time: `mean`, `topk` (mean of the k most salient items) or gated
// **attention**, which can pick out the few seconds where harm actually appears in a long video.
// **Modality dropout** blanks whole towers during training so the model copes with missing audio or
// transcripts, and availability flags tell the head which towers are present.
//
// The ablation compares the main model against its variants on the same test window.

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, fmtCI, metricRows, getMetric, barsWithCiSvg,
  attentionStripSvg, explainWithOnnx, latestRealCorpusRows, repoRoot, openCompanionRun, loadRunFolder, loadFittedPreprocessor, loadKnownContent, parseVideo, requestFromTable, type ParsedVideo,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table } = await openDataset(cfg);
const run = await openRun(cfg);
const m = cfg.model as Record<string, unknown>;
tslab.display.html(htmlTable(Object.entries(m).map(([k, v]) => ({ setting: `model.${k}`, value: v })), { caption: `Model config (${cfg.name})` }));

// %% [markdown]
// ## The ablation table
// Fusion vs each tower alone and the baselines (the config's `compare.variants`; the `tiny` preset
// trains only a few to stay fast), plus the ablation experiments when they have been run on the same
// data and split: `experiments/mean-pooling.json` (mean instead of attention pooling) and
// `experiments/no-noise.json` (no label-noise step).

// %%
const order = ['fusion', 'fusion:mean', 'fusion:no_noise', 'tower:visual', 'tower:audio', 'tower:text', 'tower:meta', 'logistic', 'cart'];
const models: Record<string, { test: Record<string, unknown> }> = { ...(run.metrics.models ?? {}) };
// Ablation runs count only when they used the very same split as this run.
for (const [variant, config] of [['fusion:mean', 'mean-pooling'], ['fusion:no_noise', 'no-noise']]) {
  const other = models[variant] ? null : openCompanionRun(config, cfg);
  if (other && other.manifest.split.fingerprint === run.manifest.split.fingerprint) {
    models[variant] = { test: other.metrics.test };
    console.log(`${variant}: from run ${other.id} (experiments/${config}.json, same split)`);
  } else if (other) console.log(`${variant}: run ${other.id} used a different split — not compared`);
}
const names = [...order.filter((n) => models[n]), ...Object.keys(models).filter((n) => !order.includes(n))];
tslab.display.html(htmlTable(metricRows(Object.fromEntries(names.map((n) => [n, models[n].test]))), { caption: 'Test window, 95% bootstrap CIs over creator groups' }));
const missing = order.filter((n) => !models[n]);
if (missing.length) console.log(`not available: ${missing.join(', ')} (add towers to compare.variants; run experiments/mean-pooling.json and experiments/no-noise.json for the ablations)`);

// %%
const bars = names.flatMap((n) => {
  const ap = getMetric(models[n].test, 'ap');
  return ap ? [{ label: n, value: ap.value, lo: ap.ci?.[0], hi: ap.ci?.[1], group: n === 'fusion' ? 'main model' : n.startsWith('fusion') ? 'fusion variant' : n.startsWith('tower') ? 'single tower' : 'baseline' }] : [];
});
tslab.display.svg(await barsWithCiSvg(bars, { title: 'Average precision by model', valueTitle: 'AP (95% CI)' }));

// %% [markdown]
// ## Fusion never below its best tower: the choice on the calibration window
// Each single-tower model is judged against chance on the calibration weeks (a creator bootstrap of
// its AP lift); towers at chance leave the fused model, and when one tower alone beats the fused model
// there, that tower's model is exported instead. The test weeks play no part in this choice.

// %%
type Selection = { towers: { tower: string; judged: boolean; kept: boolean; calibAp?: number; chance?: number; liftLow?: number; aboveChance?: boolean }[];
  fused: { towers: string[]; calibAp: number }; exported: string; reason: string; fusionBeatBestTower: boolean | null };
const sel = run.metrics.model_selection as Selection | undefined;
if (sel) {
  tslab.display.html(htmlTable(sel.towers.map((x) => ({
    tower: x.tower, 'calib AP': x.calibAp?.toFixed(4) ?? 'not trained', chance: x.chance?.toFixed(4) ?? '', 'lift lower bound': x.liftLow?.toFixed(4) ?? '',
    'above chance': x.judged ? String(x.aboveChance) : '', 'in the fused model': String(x.kept),
  })), { caption: `Fused model (${sel.fused.towers.join(' + ')}): calib AP ${sel.fused.calibAp.toFixed(4)}` }));
  console.log(`exported: ${sel.exported} — ${sel.reason}`);
  console.log(`fusion beat the best single tower on the calibration weeks: ${sel.fusionBeatBestTower ?? 'n/a'}`);
} else console.log('this run predates model selection');

// %% [markdown]
// ## The same defaults on real data
// The benchmark's `real` section runs `vigil run` with no flags on a real public corpus (the
// Davidson et al. 2017 tweets: text only, no timestamps, 5.8% hate speech) and scores the exported
// model beside scikit-learn TF-IDF + logistic regression and XGBoost on the same rows. Here is its
// latest committed result (`vigil bench --only real` writes a new one).

// %%
const real = latestRealCorpusRows(repoRoot());
if (real) {
  tslab.display.html(htmlTable(real.rows, { caption: `${real.result.corpus}: test ${real.result.rows.test} rows (${real.result.rows.testPositives} harmful), ${real.result.splitMethod}; ${real.file}` }));
  console.log(`exported: ${real.result.selection.exported} — ${real.result.selection.reason}`);
} else console.log('no real-corpus benchmark result under bench/results (vigil bench --only real)');

// %%
const pool = getMetric(models['fusion']?.test, 'ap'), mean = getMetric(models['fusion:mean']?.test, 'ap');
if (pool && mean) console.log(`${String(m.pooling)} pooling AP ${fmtCI(pool)} vs mean pooling AP ${fmtCI(mean)}: difference ${(pool.value - mean.value).toFixed(3)}`);
else console.log('pooling ablation: no mean-pooling run on this split (vigil run experiments/mean-pooling.json)');

// %% [markdown]
// ## Attention on a harmful video, through the exported ONNX graph
// The run picked its highest-risk harmful test videos; here they are scored again by `model.onnx` —
// the graph the server runs — and the frame attention is drawn as a heat strip (one cell per
// second). Bright cells are the evidence behind a `VISUAL_HIGH` reason code.

// %%
const rowOf = new Map(table.videoId.map((v, i) => [v, i]));
const picked = (run.reportInput.attention?.rows ?? []).map((a) => a.label.split(' ')[0]).filter((v) => rowOf.has(v));
const rows = picked.length ? picked.map((v) => rowOf.get(v)!) : [table.harmful.findIndex((y) => y === 1)];
const explained = await explainWithOnnx(run.dir, table, rows);
tslab.display.html(htmlTable(explained.map((e) => ({
  video: e.videoId, label: table.harmful[e.row] === 1 ? 'harmful' : 'benign', frames: e.frameAttention.length, 'risk (ONNX)': e.risk.toFixed(4),
  'meta logit': e.modalityLogits.meta.toFixed(2), 'visual logit': e.modalityLogits.visual.toFixed(2),
  'audio logit': e.modalityLogits.audio.toFixed(2), 'text logit': e.modalityLogits.text.toFixed(2),
  'peak frame (s)': e.frameTs[e.frameAttention.indexOf(Math.max(...e.frameAttention))],
}))));
tslab.display.svg(await attentionStripSvg(explained.map((e) => ({ label: `${e.videoId} (risk ${e.risk.toFixed(3)})`, weights: e.frameAttention })), { title: 'Frame attention (ONNX)' }));

// %%
// The training-side attention the run stored agrees with the exported graph's.
const stored = run.reportInput.attention?.rows ?? [];
for (const e of explained) {
  const s = stored.find((a) => a.label.startsWith(e.videoId));
  if (!s) continue;
  const d = Math.max(...s.weights.map((w, k) => Math.abs(w - (e.frameAttention[k] ?? 0))));
  console.log(`${e.videoId}: max |attention(TF.js) − attention(ONNX)| = ${d.toExponential(2)}`);
}

// %% [markdown]
// ## The same video through the serving scorer
// What a caller gets back: risk, action and reason codes.

// %%
const loaded = await loadRunFolder(run.dir, { loadPreprocessor: loadFittedPreprocessor, loadKnownContent: loadKnownContent });
try {
  const parsed = parseVideo(requestFromTable(table, rows[0]), loaded.scorer.limits) as { value?: ParsedVideo; error?: { message: string } };
  if (!parsed.value) throw new Error(`request for row ${rows[0]} invalid: ${parsed.error?.message}`);
  const [resp] = await loaded.scorer.scoreVideos([parsed.value]);
  console.log(JSON.stringify(resp, null, 2));
} finally {
  await loaded.scorer.close();
}
