// HTTP end-to-end load on loopback (docs/serving.md): node lib/dist/test/helpers/measureServingHttp.js [seconds]
// One server process (1 onnxruntime thread) with a random-weight model at the default architecture;
// the load comes from a separate process. 18-frame videos, JSON numbers and base64 bodies.
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer } from '../../src/serve/server.js';
import { syntheticRequest } from '../../src/serve/latency.js';
import { measureHttpLoad, coresFor } from '../../src/serve/loadGen.js';
import { makeRunFolder, testPreprocessor } from './servingFixture.js';

async function main() {
  const seconds = Number(process.argv[2] ?? 10);
  const rows: Record<string, unknown>[] = [];
  for (const [frameDim, audioDim] of [[64, 32], [512, 128]]) {
    const config = { hidden: 32, attentionDim: 16, fusionHidden: 8, frameDim, audioDim, textDim: 2048 };
    const run = makeRunFolder({ seed: 1, config });
    const srv = await startServer(async () => (await loadRunFolder(run.dir, { threads: 1, loadPreprocessor: () => testPreprocessor(run.config) })).scorer,
      { port: 0, host: '127.0.0.1', log: () => undefined });
    await srv.ready;
    for (const b64 of [false, true]) {
      const body = JSON.stringify(syntheticRequest(frameDim, audioDim, 18, 6, 1, b64));
      const max = await measureHttpLoad({ port: srv.port, body, concurrency: 4, durationS: seconds });
      const fixed = await measureHttpLoad({ port: srv.port, body, ratePerS: 100, concurrency: 16, durationS: seconds });
      rows.push({
        dims: `${frameDim}/${audioDim}`, body: b64 ? 'base64' : 'json', 'KB': (body.length / 1024).toFixed(0),
        'max req/s (1 proc)': max.throughputPerS, 'at 100 req/s p50/p99 ms': `${fixed.latencyMs.p50}/${fixed.latencyMs.p99}`,
        errors: max.errors + fixed.errors, 'cores for 12M/day (3x peak)': coresFor(12_000_000, max.throughputPerS),
      });
    }
    await srv.shutdown();
    rmSync(run.dir, { recursive: true, force: true });
  }
  console.table(rows);
}
main().catch((e) => { console.error(e); process.exit(1); });
