import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScaleBench, modelPathSecondsPerRow } from '../../src/bench/scale.js';
import { SCALE_STAGES } from '../../src/bench/scaleStage.js';

test('vigil bench --scale at a small size: every stage runs in its own process, from a sharded store to an exported model', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-scale-run-'));
  try {
    const work = join(root, 'work');
    const { result, jsonPath, mdPath } = await runScaleBench({
      sizes: [3000], cores: 16, weeklyUploads: 180_000_000, prevalence: 0.0035, trainNegativeKeepRate: 0.03,
      outDir: join(root, 'out'), command: 'test', workDir: work, seed: 2, stageTimeoutS: 300,
    });
    const [s] = result.scale.sizes;
    assert.ok(s.rows > 2000 && s.rows < 4000, `stored rows ${s.rows}`);
    assert.deepEqual(Object.keys(s.seconds).sort(), [...SCALE_STAGES].sort(), 'every stage measured');
    for (const st of SCALE_STAGES) assert.ok(s.peakRssByStage[st]! > 0.01, st);
    assert.ok(modelPathSecondsPerRow(s)! > 0);
    assert.ok(s.stageRows?.train && s.stageRows.train < s.rows, 'training holds the sampled rows only');
    const dir = join(work, 'rows-3000');
    for (const f of ['split.parquet', 'streamed/metrics.json', 'streamed/bundle/model.onnx', 'streamed/bundle/preprocessor.json']) assert.ok(existsSync(join(dir, f)), f);
    const metrics = JSON.parse(readFileSync(join(dir, 'streamed/metrics.json'), 'utf8'));
    assert.ok(metrics.rows.test > 0 && metrics.rows.calib > 0);
    assert.equal(JSON.parse(readFileSync(jsonPath, 'utf8')).scale.sizes[0].rows, s.rows);
    assert.match(readFileSync(mdPath, 'utf8'), /Projection to 180M uploads\/week on 16 cores/);
  } finally { rmSync(root, { recursive: true, force: true }); }
});
