// The moderation loop over several loop seeds on the same simulated weeks (not a test): exposure by
// fate and AP per routing strategy, as mean ± sd, so strategy gaps can be read against seed noise.
// Usage: node scripts/measure-loop-seeds.mjs RUN_DIR [--weeks 8] [--seeds 1,2,3,4,5] [--routing queue-order|thresholds]
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const lib = '../lib/dist/src';
const { buildLoopSource } = require(`${lib}/loop/source.js`);
const { simulateLoop } = require(`${lib}/loop/simulateLoop.js`);
const { loopConfigSchema } = require(`${lib}/loop/config.js`);

const { values, positionals } = parseArgs({ allowPositionals: true, options: { weeks: { type: 'string' }, seeds: { type: 'string' }, routing: { type: 'string' } } });
if (positionals.length !== 1) { console.error('usage: node scripts/measure-loop-seeds.mjs RUN_DIR [--weeks 8] [--seeds 1,2,3,4,5] [--routing queue-order]'); process.exit(2); }
const weeks = Number(values.weeks ?? 8);
const seeds = (values.seeds ?? '1,2,3,4,5').split(',').map(Number);
const src = await buildLoopSource(positionals[0], weeks, { salt: 'loop-1', onProgress: (m) => console.error(m) });
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const fates = ['allowed_never_removed', 'queued_removed', 'queued_cleared', 'queued_never_reviewed'];
console.log(`| strategy | exposure (upload-h) | ${fates.join(' | ')} | mean AP | last-week AP |`);
console.log(`|---|---|${fates.map(() => '---|').join('')}---|---|`);
for (const [name, over, strategy] of [['no-retrain', { retrain: false }, 'top-risk'], ['top-risk', {}, 'top-risk'], ['active', {}, 'active'], ['active+audit', {}, 'active+audit']]) {
  const runs = seeds.map((seed) => simulateLoop(src.world, src.run, loopConfigSchema.parse({ weeks, seed, retrainedRouting: values.routing ?? 'queue-order', ...over }), strategy).totals);
  const exp = runs.map((t) => t.exposure_upload_hours);
  const byFate = fates.map((f) => mean(runs.map((t) => t.exposure_by_fate[f].upload_hours)).toFixed(0));
  console.log(`| ${name} | ${mean(exp).toFixed(0)} ± ${sd(exp).toFixed(0)} | ${byFate.join(' | ')} | ${mean(runs.map((t) => t.mean_ap)).toFixed(3)} | ${mean(runs.map((t) => t.final_ap)).toFixed(3)} |`);
}
