import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { writeVideoTable } from '../../src/data/parquet.js';
import { MS_PER_DAY } from '../../src/data/table.js';
import { readSampled } from '../../src/store/sampleOnRead.js';
import { VigilError } from '../../src/util/errors.js';

test('negatives are downsampled while reading: same sample at any batch size, positives kept, weights divided by the rate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sample-'));
  try {
    const { table } = syntheticTable({ n: 3000, days: 42, creators: 200, reuploadRate: 0.05, prevalence: 0.05, seed: 5 });
    for (let i = 0; i < table.n; i++) if (i % 4 === 0 && table.harmful[i] === 0) table.weight[i] = 2;
    await writeVideoTable(join(dir, 'videos.parquet'), table, { partitionBy: 'week', partRows: 256 });
    const byId = new Map(table.videoId.map((id, i) => [id, i]));
    const run = async (batchRows: number) => {
      const kept = new Map<string, number>();
      let maxChunk = 0;
      const stats = await readSampled(dir, { batchRows, negativeKeepRate: 0.25, seed: 9 }, (c) => {
        maxChunk = Math.max(maxChunk, c.n);
        for (let i = 0; i < c.n; i++) kept.set(c.videoId[i], c.weight[i]);
      });
      return { kept, stats, maxChunk };
    };
    const a = await run(64), b = await run(1000);
    assert.deepEqual([...a.kept.entries()].sort(), [...b.kept.entries()].sort());
    assert.ok(a.maxChunk <= 64, `a chunk never exceeds the batch size (${a.maxChunk})`);
    const positives = Array.from(table.harmful).filter((y) => y === 1).length;
    assert.equal(a.stats.positives, positives);
    assert.equal(a.stats.rowsRead, table.n);
    for (const [id, w] of a.kept) {
      const i = byId.get(id)!;
      assert.equal(w, table.harmful[i] === 1 ? table.weight[i] : table.weight[i] / 0.25, id);
    }
    const share = a.stats.negativesKept / a.stats.negativesRead;
    assert.ok(share > 0.2 && share < 0.3, `kept share ${share}`);
    // Reweighting keeps the negative mass: within 10% on ~2,800 negatives.
    assert.ok(Math.abs(a.stats.negativeWeightKept / a.stats.negativeWeightRead - 1) < 0.1, JSON.stringify(a.stats));

    // reweight: false keeps the stored weights (the same rows), while the stats still count the reweighted mass.
    const stored = new Map<string, number>();
    const sNo = await readSampled(dir, { batchRows: 64, negativeKeepRate: 0.25, seed: 9, reweight: false }, (c) => {
      for (let i = 0; i < c.n; i++) stored.set(c.videoId[i], c.weight[i]);
    });
    assert.deepEqual([...stored.keys()].sort(), [...a.kept.keys()].sort());
    for (const [id, w] of stored) assert.equal(w, table.weight[byId.get(id)!], id);
    assert.equal(sNo.negativeWeightKept, a.stats.negativeWeightKept);

    // A window reads only its rows.
    const lo = Math.min(...table.uploadTs), win = { fromMs: lo + 14 * MS_PER_DAY, toMs: lo + 21 * MS_PER_DAY };
    const w = await readSampled(dir, { batchRows: 128, negativeKeepRate: 1, seed: 9, window: win }, () => {});
    assert.equal(w.rowsRead, Array.from(table.uploadTs).filter((t) => t >= win.fromMs && t < win.toMs).length);
    await assert.rejects(readSampled(dir, { batchRows: 128, negativeKeepRate: 0, seed: 1 }, () => {}), (e: unknown) => e instanceof VigilError && e.field === 'negativeKeepRate');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
