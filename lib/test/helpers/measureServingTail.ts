// Tail latency and overload on loopback (docs/serving.md "Tail latency and overload"):
//   node lib/dist/test/helpers/measureServingTail.js [seconds=30] [rate=500] [overloadRate=2000] [libSrcDir] > server.log
// One server process (this one: 1 onnxruntime thread, the real fitted preprocessing on a `tiny`
// simulation, default architecture, request logs on stdout as in production) and the load from a
// separate process: an open loop at `rate` req/s, then at `overloadRate`. 18-frame JSON bodies.
// `libSrcDir` points the server at another build's lib/dist/src (to measure before/after).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { simulate } from '../../src/simulate/generate.js';
import { PRESETS } from '../../src/simulate/presets.js';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { loadConfig } from '../../src/config.js';
import { syntheticRequest } from '../../src/serve/latency.js';
import { measureHttpLoad } from '../../src/serve/loadGen.js';
import { makeRunFolder } from './servingFixture.js';

async function main() {
  const [seconds = 30, rate = 500, overloadRate = 2000] = process.argv.slice(2, 5).map(Number);
  const libSrc = resolve(process.argv[5] ?? `${__dirname}/../../src`);
  const { startServer } = await import(`${libSrc}/serve/server.js`);
  const { loadRunFolder } = await import(`${libSrc}/serve/runFolder.js`);
  const { loadFittedPreprocessor } = await import(`${libSrc}/serve/fittedPreprocessing.js`);
  const sim = simulate(PRESETS.tiny, 1);
  const cfg = loadConfig(undefined);
  const fitted = fitPreprocessor(sim.table, Array.from({ length: sim.table.n }, (_, i) => i), cfg.features);
  const run = makeRunFolder({ seed: 1, fitted, config: { hidden: 32, attentionDim: 16, fusionHidden: 8 } });
  const srv = await startServer(async () => (await loadRunFolder(run.dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor })).scorer,
    { port: 0, host: '127.0.0.1' });
  await srv.ready;
  const body = JSON.stringify(syntheticRequest(fitted.dims.frame, fitted.dims.audio, 18, 6, 1, false));
  const out: Record<string, unknown>[] = [];
  for (const r of [rate, overloadRate]) {
    const res = await measureHttpLoad({ port: srv.port, body, ratePerS: r, concurrency: 256, durationS: seconds });
    out.push({ rate: r, sent: res.sent, ok: res.ok, statuses: res.statuses, throughput: res.throughputPerS, ...res.latencyMs });
  }
  await srv.shutdown('measured');
  rmSync(run.dir, { recursive: true, force: true });
  process.stderr.write(JSON.stringify({ lib: libSrc, seconds, bodyBytes: body.length, results: out }, null, 1) + '\n');
}
main().catch((e) => { console.error(e); process.exit(1); });
