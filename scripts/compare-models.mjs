// Model comparison (a measurement, not a test): fusion vs mean pooling vs no noise handling vs each
// single tower vs the CART and logistic baselines, on one dataset folder and its split.parquet.
// Usage: node scripts/compare-models.mjs --data DIR --split SPLIT.parquet [--variants a,b] [--set train.epochs=8] [--out FILE.json]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const require = createRequire(import.meta.url);
const L = (p) => require(`../lib/dist/src/${p}.js`);
const { readVideoTable, readTruthTable } = L('data/parquet');
const { readParquetTable } = L('data/arrow');
const { loadConfig } = L('config');
const { fitPreprocessor } = L('features/preprocess');
const { compareModels } = L('model/compare');
const { rowsOfSplit } = L('model/train');
const { resolveTrainConfig, formatRecipe } = L('model/recipe');
const { initBackend } = L('model/backend');
const { auditNoise } = L('model/noise');

const { values } = parseArgs({ options: {
  data: { type: 'string' }, split: { type: 'string' }, variants: { type: 'string' }, out: { type: 'string' },
  set: { type: 'string', multiple: true, default: [] }, config: { type: 'string' },
} });
const cfg = loadConfig(values.config, values.set);
const t0 = Date.now();
const table = await readVideoTable(values.data);
const truthPath = join(values.data, 'truth.parquet');
const truth = existsSync(truthPath) ? await readTruthTable(truthPath) : undefined;
// split.parquet → arrays aligned with the table's rows.
const st = await readParquetTable(values.split);
const byId = new Map();
const vid = st.getChild('video_id').toArray(), grp = st.getChild('group_id'), spl = st.getChild('split'), fold = st.getChild('fold');
const names = { train: 0, calib: 1, test: 2, purged: 3 };
for (let i = 0; i < st.numRows; i++) byId.set(vid[i], { g: Number(grp.get(i)), s: names[spl.get(i)], f: fold.get(i) === null ? -1 : Number(fold.get(i)) });
const split = { videoId: table.videoId, groupId: new Int32Array(table.n), split: new Uint8Array(table.n), fold: new Int8Array(table.n) };
table.videoId.forEach((id, i) => { const r = byId.get(id); if (!r) throw new Error(`split has no row for ${id}`); split.groupId[i] = r.g; split.split[i] = r.s; split.fold[i] = r.f; });
console.log(`read ${table.n} rows in ${((Date.now() - t0) / 1000).toFixed(1)}s; train ${rowsOfSplit(split, 0).length}, calib ${rowsOfSplit(split, 1).length}, test ${rowsOfSplit(split, 2).length}`);
const backend = await initBackend(cfg.train.backend);
const t1 = Date.now();
const fitted = fitPreprocessor(table, rowsOfSplit(split, 0), cfg.features);
console.log(`preprocessor fitted in ${((Date.now() - t1) / 1000).toFixed(1)}s (dims ${JSON.stringify(fitted.dims)}), backend ${backend}`);
// The training recipe derived from the training rows (explicit --set values win), as `vigil run` does.
const { train, recipe } = resolveTrainConfig(table, rowsOfSplit(split, 0), cfg.train);
console.log(formatRecipe(recipe).join('\n'));
const res = await compareModels(table, split, fitted, { model: cfg.model, train }, { variants: values.variants?.split(','), truth });
const rows = res.models.map((m) => ({ name: m.name, seconds: +m.seconds.toFixed(1), bestEpoch: m.bestEpoch, rowsPerSec: m.rowsPerSec && Math.round(m.rowsPerSec),
  calibAp: +m.calib.ap.toFixed(4), testAp: +m.test.ap.toFixed(4), testR2: +m.test.recallAt2Fpr.toFixed(3), testP1: +m.test.precisionTop1.toFixed(3),
  trueAp: m.testTrue && +m.testTrue.ap.toFixed(4), trueR2: m.testTrue && +m.testTrue.recallAt2Fpr.toFixed(3), trueP1: m.testTrue && +m.testTrue.precisionTop1.toFixed(3) }));
console.table(rows);
if (truth) {
  const testRows = rowsOfSplit(split, 2);
  const m = new Map(); for (let i = 0; i < truth.n; i++) m.set(truth.videoId[i], truth.oracleP[i]);
  const { quickMetrics } = L('model/compare');
  const o = quickMetrics(testRows.map((r) => m.get(table.videoId[r])), testRows.map((r) => table.harmful[r]), testRows.map((r) => table.weight[r]));
  console.log(`oracle_p on test (observed labels): AP ${o.ap.toFixed(4)} R@2%FPR ${o.recallAt2Fpr.toFixed(3)} P@1% ${o.precisionTop1.toFixed(3)}`);
  if (res.noise) console.log('noise audit', JSON.stringify(auditNoise(res.noise, table, split, truth)));
}
const cart = res.models.find((m) => m.rules);
if (cart) console.log(cart.rules);
for (const m of res.models) if (m.history) console.log(`${m.name} epochs: ` + m.history.map((h) => `${h.epoch}:${h.calibAp.toFixed(3)}@${Math.round(h.rowsPerSec)}r/s`).join(' '));
if (values.out) writeFileSync(values.out, JSON.stringify({ config: { model: cfg.model, train }, recipe, backend, models: rows,
  history: Object.fromEntries(res.models.filter((m) => m.history).map((m) => [m.name, m.history])) }, null, 2));
