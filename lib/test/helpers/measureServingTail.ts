// Tail latency and overload on loopback (docs/serving.md "Tail latency and overload"):
//   node lib/dist/test/helpers/measureServingTail.js [seconds=30] [rate=500] [overloadSeconds=10] [maxInFlight=default] [libSrcDir] > server.log
// One server process (this one: 1 onnxruntime thread, the real fitted preprocessing on a `tiny`
// simulation, random weights at the default architecture, request logs on stdout as in production)
// and the load from a separate process: an open loop at `rate` req/s, the sustainable rate (closed
// loop, 4 in flight), then an open loop at 4× that. 18-frame JSON bodies.
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
  const [seconds = 30, rate = 500, overloadSeconds = 10, maxInFlight] = process.argv.slice(2, 6).map(Number);
  const libSrc = resolve(process.argv[6] ?? `${__dirname}/../../src`);
  const { startServer } = await import(`${libSrc}/serve/server.js`);
  const { loadRunFolder } = await import(`${libSrc}/serve/runFolder.js`);
  const { loadFittedPreprocessor } = await import(`${libSrc}/serve/fittedPreprocessing.js`);
  const sim = simulate(PRESETS.tiny, 1);
  const cfg = loadConfig(undefined);
  const fitted = fitPreprocessor(sim.table, Array.from({ length: sim.table.n }, (_, i) => i), cfg.features);
  const run = makeRunFolder({ seed: 1, fitted });
  const srv = await startServer(async () => (await loadRunFolder(run.dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor })).scorer,
    { port: 0, host: '127.0.0.1', ...(maxInFlight ? { maxInFlight } : {}) });
  await srv.ready;
  const body = JSON.stringify(syntheticRequest(fitted.dims.frame, fitted.dims.audio, 18, 6, 1, false));
  const out: Record<string, unknown>[] = [];
  const keep = (name: string, res: Awaited<ReturnType<typeof measureHttpLoad>>) => out.push({ load: name, sent: res.sent, statuses: res.statuses, throughput: res.throughputPerS, clientCpuUsPerRequest: res.clientCpuUsPerRequest, ...res.latencyMs });
  keep(`${rate} req/s`, await measureHttpLoad({ port: srv.port, body, ratePerS: rate, concurrency: 256, durationS: seconds }));
  const sustainable = await measureHttpLoad({ port: srv.port, body, concurrency: 4, durationS: 5 });
  keep('sustainable (closed loop, 4 in flight)', sustainable);
  const overloadRate = Math.round(sustainable.throughputPerS * 4);
  keep(`4x sustainable: ${overloadRate} req/s`, await measureHttpLoad({ port: srv.port, body, ratePerS: overloadRate, concurrency: 256, durationS: overloadSeconds }));
  await srv.shutdown('measured');
  rmSync(run.dir, { recursive: true, force: true });
  process.stderr.write(JSON.stringify({ lib: libSrc, seconds, bodyBytes: body.length, results: out }, null, 1) + '\n');
}
main().catch((e) => { console.error(e); process.exit(1); });
