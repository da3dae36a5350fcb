import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { makeSplit } from '../../src/split/split.js';
import { readSplitTable } from '../../src/store/splitTable.js';
import { VigilError } from '../../src/util/errors.js';

test('the split from the pooled, batch-read table is identical to the split of the full table, holding one frame per video', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-splittable-'));
  try {
    const { table } = syntheticTable({ n: 1200, days: 70, creators: 90, reuploadRate: 0.15, prevalence: 0.08, seed: 12 });
    // Some transcripts, so the audit's missing-transcript share is not trivially 100%.
    for (let i = 0; i < table.n; i += 3) table.transcript[i] = `words of video ${i}`;
    await writeVideoTable(join(dir, 'videos.parquet'), table, { partitionBy: 'week', partRows: 100 });
    const full = await readVideoTable(dir);
    for (const modalities of [['frames'], ['frames', 'audio', 'transcript']] as ('frames' | 'audio' | 'transcript')[][]) {
      const cfg = splitConfigSchema.parse({ nearDup: { modalities } });
      const light = await readSplitTable(dir, { batchRows: 64, nearDup: cfg.nearDup });
      assert.equal(light.n, full.n);
      assert.equal(light.frameEmb.length, full.n * full.frameDim, 'one pooled frame per video');
      assert.ok(full.frameEmb.length > light.frameEmb.length, 'the fixture has multi-frame videos');
      if (!modalities.includes('audio')) assert.equal(light.audioEmb.length, 0, 'audio not fingerprinted: not held');
      if (!modalities.includes('transcript')) {
        assert.equal(new Set(light.transcript.filter((x) => x !== null)).size, 1, 'transcripts not fingerprinted: only their presence is held');
        assert.ok(full.transcript.filter((x) => x !== null).length > 10, 'the fixture has transcripts');
      }
      const a = makeSplit(full, cfg, 3), b = makeSplit(light, cfg, 3);
      assert.deepEqual(b.assignment, a.assignment, modalities.join('+'));
      assert.deepEqual(b.signatures, a.signatures);
      assert.ok(a.report.nearDup.rowsInClusters > 0, 'near-duplicates were found');
      // Everything but the timings.
      const strip = (r: typeof a.report) => ({ ...r, timingsMs: {}, nearDup: { ...r.nearDup, ms: 0 } });
      assert.deepEqual(strip(b.report), strip(a.report));
      assert.equal(a.report.method, 'temporal');
      assert.deepEqual(b.audit, a.audit);
    }
    await assert.rejects(readSplitTable(dir, { batchRows: 0, nearDup: { modalities: ['frames'] } }), (e: unknown) => e instanceof VigilError && e.field === 'batchRows');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
