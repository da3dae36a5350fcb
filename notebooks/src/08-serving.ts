// %% [markdown]
// # 8. Export and serving
//
// The trained network and its calibrator are exported as one ONNX graph (`model.onnx`); the run
// folder is the serving bundle — graph, preprocessing, policy, reason-code thresholds, known-content
// fingerprints — with every file's sha256 in the manifest (the server refuses a folder that was
// tampered with). Before a run is written, the ONNX output is checked against the TF.js model on
// test videos (parity) and the in-process latency is measured.
//
// Here: the parity numbers, a live HTTP scoring call with reason codes, latency, and drift
// monitoring of new weeks against the training reference.

// %%
import * as tslab from 'tslab';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  setQuiet, notebookConfig, openDataset, openRun, htmlTable, alignSplit, rowsOfSplit, loadRunFolder, loadFittedPreprocessor,
  loadKnownContent, startServer, requestFromTable, latencyStats, computeDrift, psiHeatmapSvg, scoreWithOnnx, pct, TRAIN, TEST,
  type DriftReference, type RunningServer,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const { table } = await openDataset(cfg);
const run = await openRun(cfg);
const serving = run.metrics.serving as {
  parity: Record<string, number | boolean>;
  latency: Record<string, Record<string, unknown>>;
};

// %% [markdown]
// ## ONNX parity
// Largest absolute difference between the ONNX graph and the TF.js model over the parity rows.

// %%
tslab.display.html(htmlTable(Object.entries(serving.parity).map(([k, v]) => ({
  output: k, value: typeof v === 'number' && k !== 'rows' ? v.toExponential(2) : v,
}))));

// %% [markdown]
// ## A live scoring call
// Start the HTTP server on a free local port from the run folder, POST the harmful test video the
// model rates highest, show
// the response (risk, action, reason codes), then shut it down.

// %%
const logLines: Record<string, unknown>[] = [];
const running: RunningServer = await startServer(
  async () => (await loadRunFolder(run.dir, { loadPreprocessor: loadFittedPreprocessor, loadKnownContent: loadKnownContent })).scorer,
  { port: 0, host: '127.0.0.1', log: (e) => { logLines.push(e); } },
);
await running.ready;
const base = `http://127.0.0.1:${running.port}`;
const testRows = rowsOfSplit(alignSplit(run.split, table.videoId), TEST);
// The harmful test video the exported model rates highest (the interesting response to look at).
const harmfulTest = testRows.filter((r) => table.harmful[r] === 1);
const harmfulRisk = (await scoreWithOnnx(run.dir, table, harmfulTest)).risk;
const harmfulRow = harmfulTest.length ? harmfulTest[harmfulRisk.indexOf(Math.max(...harmfulRisk))] : testRows[0];
{
  const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requestFromTable(table, harmfulRow)) });
  console.log(`POST /v1/score → HTTP ${res.status}`);
  console.log(JSON.stringify(await res.json(), null, 2));
  console.log(`GET /v1/model → ${JSON.stringify(await (await fetch(`${base}/v1/model`)).json()).slice(0, 400)}`);
}

// %% [markdown]
// ## Latency
// Measured end to end over HTTP here (one video per request, sequential, local loopback), next to
// the in-process numbers the run recorded (parse + validation + preprocessing + ONNX + reason codes).

// %%
const sample = testRows.slice(0, 60);
const bodies = sample.map((r) => JSON.stringify(requestFromTable(table, r, { base64: true })));
const ms: number[] = [];
for (const body of bodies) {
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.json();
  ms.push(performance.now() - t0);
}
await running.shutdown('notebook done');
const http = latencyStats(ms);
const rec = (k: string, part: string) => serving.latency[k]?.[part] as { p50: number; p99: number } | undefined;
tslab.display.html(htmlTable([
  { measurement: `HTTP, ${http.n} test videos (base64 embeddings)`, 'p50 ms': http.p50.toFixed(2), 'p99 ms': http.p99.toFixed(2) },
  ...['frames18', 'frames600'].flatMap((k) => ['score', 'totalJson', 'totalBase64'].map((part) => ({
    measurement: `in-process, ${k.replace('frames', '')} frames: ${part}`, 'p50 ms': rec(k, part)?.p50.toFixed(2) ?? '—', 'p99 ms': rec(k, part)?.p99.toFixed(2) ?? '—',
  }))),
], { caption: 'Latency (budget: 200 ms p99)' }));

// %% [markdown]
// ## Drift monitoring on new weeks
// `reference.json` holds the training window's feature distributions. Every later week is compared
// with it by PSI (≥ 0.1 warn, ≥ 0.25 alert), including the score distribution — scored here by the
// exported graph. Weeks with too few rows are reported but never alert.

// %%
const ref = JSON.parse(readFileSync(join(run.dir, 'reference.json'), 'utf8')) as DriftReference;
const a = alignSplit(run.split, table.videoId);
const lastTrainTs = rowsOfSplit(a, TRAIN).reduce((m, r) => Math.max(m, table.uploadTs[r]), -Infinity);
const later = Array.from({ length: table.n }, (_, i) => i).filter((i) => a.split[i] !== TRAIN && table.uploadTs[i] > lastTrainTs);
const scored = await scoreWithOnnx(run.dir, table, later);
const scores = new Float64Array(table.n);
later.forEach((r, k) => { scores[r] = scored.risk[k]; });
const drift = computeDrift(ref, table, { rows: later, scores });
tslab.display.html(htmlTable(drift.weeks.map((w) => ({
  week: w.week, rows: w.n, prevalence: pct(w.prevalence, 3), 'max PSI': w.maxPsi.toFixed(3), level: w.tooSmall ? `${w.level} (too small)` : w.level,
  'worst features': [...w.features].sort((x, y) => y.psi - x.psi).slice(0, 3).map((f) => `${f.name} ${f.psi.toFixed(2)}`).join(', '),
})), { caption: `Overall level: ${drift.level}; ${drift.alerts.length} warn/alert cells` }));
tslab.display.svg(await psiHeatmapSvg(drift.weeks.flatMap((w) => w.features.map((f) => ({ week: w.week, feature: f.name, psi: f.psi }))), { title: 'PSI by week and feature vs the training reference' }));
