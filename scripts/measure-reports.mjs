// Measures report rendering and drift monitoring on synthetic inputs (the test fixtures).
// Usage: npx tsc -b && node scripts/measure-reports.mjs
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { renderReport } = require('../lib/dist/src/report/render.js');
const { fixtureReportInput } = require('../lib/dist/test/fixtures/report.js');
const { syntheticWeeks } = require('../lib/dist/test/fixtures/drift.js');
const { buildReference, computeDrift } = require('../lib/dist/src/monitor/drift.js');

let t = Date.now();
const r = await renderReport(fixtureReportInput());
console.log(`report (first, loads vega): ${Date.now() - t} ms; html ${(r.html.length / 1e6).toFixed(2)} MB (plotly inlined), md ${(r.md.length / 1e3).toFixed(1)} kB`);
t = Date.now();
await renderReport(fixtureReportInput());
console.log(`report (vega loaded): ${Date.now() - t} ms`);
t = Date.now();
const lean = await renderReport(fixtureReportInput(), { interactive: false });
console.log(`report without the plotly explorer: ${Date.now() - t} ms; html ${(lean.html.length / 1e6).toFixed(2)} MB`);

const weeks = [...Array.from({ length: 9 }, () => ({ n: 10000 })), { n: 10000, shifted: true }];
const tab = syntheticWeeks(weeks, 3, 64);
const train = Array.from({ length: 60000 }, (_, i) => i);
t = Date.now();
const ref = buildReference(tab, train);
const tRef = Date.now() - t;
t = Date.now();
const d = computeDrift(ref, tab);
console.log(`drift on ${tab.n} videos (64-d frames, 10 weeks): reference ${tRef} ms, weekly PSI ${Date.now() - t} ms, reference.json ${(JSON.stringify(ref).length / 1e3).toFixed(1)} kB`);
for (const w of d.weeks) {
  const top = [...w.features].sort((a, b) => b.psi - a.psi).slice(0, 4).map((f) => `${f.name}=${f.psi.toFixed(3)}`).join(' ');
  console.log(`  ${w.week} ${w.level.padEnd(5)} max ${w.maxPsi.toFixed(3)}  ${top}`);
}

// Optional: a dataset folder (e.g. `vigil simulate --preset default --out datasets/default`) and the
// number of leading weeks that form the training reference (default 11 = 16 − 3 test − 2 calibration).
const dataset = process.argv[2];
if (dataset) {
  const { readVideoTable } = require('../lib/dist/src/data/parquet.js');
  const { formatDrift } = require('../lib/dist/src/monitor/drift.js');
  const trainWeeks = Number(process.argv[3] ?? 11);
  t = Date.now();
  const sim = await readVideoTable(dataset);
  let t0 = Infinity;
  for (const ts of sim.uploadTs) t0 = Math.min(t0, ts);
  const cut = t0 + trainWeeks * 7 * 86_400_000;
  const rows = [];
  for (let i = 0; i < sim.n; i++) if (sim.uploadTs[i] < cut) rows.push(i);
  const simRef = buildReference(sim, rows);
  const simDrift = computeDrift(simRef, sim);
  console.log(`\n${dataset}: ${sim.n} videos, reference = first ${trainWeeks} weeks (${rows.length}), ${Date.now() - t} ms in all`);
  console.log(formatDrift(simDrift));
}
