import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { measureLatency, latencyStats, syntheticRequest } from '../../src/serve/latency.js';
import { parseVideo } from '../../src/serve/request.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG } from '../helpers/servingFixture.js';

test('percentiles: hand-computed', () => {
  const s = latencyStats(Array.from({ length: 100 }, (_, i) => 100 - i));
  assert.equal(s.p50, 50);
  assert.equal(s.p99, 99);
  assert.equal(s.max, 100);
  assert.equal(s.mean, 50.5);
});

test('synthetic requests in both encodings decode to the same video; measureLatency reports every stage', async () => {
  const limits = { frameDim: 4, audioDim: 3, maxItems: 600 };
  const a = parseVideo(syntheticRequest(4, 3, 5, 2, 9, false), limits);
  const b = parseVideo(syntheticRequest(4, 3, 5, 2, 9, true), limits);
  assert.ok(a.ok && b.ok);
  assert.deepEqual([...a.value.frameEmb], [...b.value.frameEmb]);
  assert.deepEqual([...a.value.audioEmb], [...b.value.audioEmb]);
  const run = makeRunFolder({ seed: 1 });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) });
    const r = await measureLatency(scorer, { frames: 18, iterations: 10, warmup: 2 });
    assert.equal(r.score.n, 10);
    assert.ok(r.bodyBytes.base64 < r.bodyBytes.json);
    assert.ok(r.score.p50 > 0 && r.score.p99 >= r.score.p50);
    assert.ok(r.totalBase64.p50 >= r.score.p50 * 0.5);
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});
