// Measures in-process serving latency (docs/serving.md): node lib/dist/test/helpers/measureServingLatency.js
// A random-weight model at the default architecture, with the test preprocessing in place of the
// fitted one; 18 and 600 frames, at 64-d frames / 32-d audio and at 512-d frames / 128-d audio.
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { measureLatency } from '../../src/serve/latency.js';
import { makeRunFolder, testPreprocessor } from './servingFixture.js';

async function main() {
  const iterations = Number(process.argv[2] ?? 300);
  const rows: Record<string, unknown>[] = [];
  for (const [frameDim, audioDim] of [[64, 32], [512, 128]]) {
    const config = { hidden: 32, attentionDim: 16, fusionHidden: 8, frameDim, audioDim, textDim: 2048 };
    const run = makeRunFolder({ seed: 1, config });
    const { scorer } = await loadRunFolder(run.dir, { threads: 1, loadPreprocessor: () => testPreprocessor(run.config) });
    for (const frames of [18, 600]) {
      const r = await measureLatency(scorer, { frames, iterations, warmup: 30 });
      rows.push({
        dims: `${frameDim}/${audioDim}`, frames, segments: r.segments,
        'body KB json/b64': `${(r.bodyBytes.json / 1024).toFixed(0)}/${(r.bodyBytes.base64 / 1024).toFixed(0)}`,
        'parse json p50/p99': `${r.parseJson.p50}/${r.parseJson.p99}`,
        'parse b64 p50/p99': `${r.parseBase64.p50}/${r.parseBase64.p99}`,
        'score p50/p99': `${r.score.p50}/${r.score.p99}`,
        'total b64 p99': r.totalBase64.p99, 'p99/200ms': r.budgetRatioP99,
      });
    }
    await scorer.close();
    rmSync(run.dir, { recursive: true, force: true });
  }
  console.table(rows);
}
main().catch((e) => { console.error(e); process.exit(1); });
