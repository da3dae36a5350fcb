import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeVideoTable, readVideoTable } from '../../src/data/parquet.js';
import { loadVideoTableCached, primeTableCache } from '../../src/data/cache.js';
import { simulate } from '../../src/simulate/generate.js';
import { getPreset } from '../../src/simulate/presets.js';
import { makeTable } from '../fixtures/videos.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-cache-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the cache returns exactly what Parquet holds, and is invalidated when the data changes', async () => {
  const d = join(dir, 'ds');
  const t = makeTable([{ frames: 3, audio: 2, harmful: 1 }, { frames: 1, audio: null, transcript: null, age: null, strikes: null }]);
  await writeVideoTable(join(d, 'videos.parquet'), t);
  const first = await loadVideoTableCached(d);
  assert.equal(readdirSync(join(d, '.vigil-cache')).length, 1);
  const second = await loadVideoTableCached(d);
  assert.deepEqual(second, first);
  assert.deepEqual(second, await readVideoTable(d));
  // New data → new key → the stale cache is not used.
  const t2 = makeTable([{ frames: 2 }, { frames: 2 }, { frames: 2 }], { seed: 9 });
  await new Promise((r) => setTimeout(r, 20));
  await writeVideoTable(join(d, 'videos.parquet'), t2);
  const third = await loadVideoTableCached(d);
  assert.equal(third.n, 3);
  assert.deepEqual(third.frameEmb, t2.frameEmb);
});

test('a simulated table primed into the cache equals the table read back from its Parquet file', async () => {
  const d = join(dir, 'sim');
  const sim = simulate({ ...getPreset('tiny'), nVirtual: 4000 }, 3);
  await writeVideoTable(join(d, 'videos.parquet'), sim.table);
  const fromParquet = await readVideoTable(d);
  primeTableCache(join(d, 'videos.parquet'), sim.table);
  assert.ok(existsSync(join(d, '.vigil-cache')));
  const cached = await loadVideoTableCached(d);
  assert.deepEqual(cached, fromParquet);
});
