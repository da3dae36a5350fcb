import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVideoTable, readTruthTable } from '../../src/data/parquet.js';
import { getPreset } from '../../src/simulate/presets.js';
import { simulate } from '../../src/simulate/generate.js';
import { simulateShardsToDir, shardUploads } from '../../src/simulate/shards.js';
import { buildKnobs } from '../../src/simulate/variants.js';
import { VigilError } from '../../src/util/errors.js';

const small = { ...getPreset('tiny'), nVirtual: 6000 };

test('shard sizes split the uploads as evenly as integers allow', () => {
  assert.deepEqual(shardUploads(10, 3), [4, 3, 3]);
  assert.deepEqual(shardUploads(9, 3), [3, 3, 3]);
  assert.equal(shardUploads(7_900_001, 8).reduce((a, b) => a + b, 0), 7_900_001);
});

test('one shard writes the same videos as the in-memory simulation; several shards are disjoint streams of one world', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-shards-'));
  try {
    const one = await simulateShardsToDir(small, 3, join(dir, 'one'), { shards: 1, partRows: 500 });
    const sim = simulate(small, 3);
    const t1 = await readVideoTable(join(dir, 'one'));
    assert.equal(one.rows, sim.table.n);
    assert.deepEqual(t1.videoId, sim.table.videoId);
    assert.deepEqual(Array.from(t1.frameEmb.subarray(0, 2000)), Array.from(sim.table.frameEmb.subarray(0, 2000)));

    const three = await simulateShardsToDir({ ...small, nVirtual: 18_000 }, 3, join(dir, 'three'), { shards: 3, partitionBy: 'week', partRows: 500 });
    const t3 = await readVideoTable(join(dir, 'three'));
    assert.equal(three.rows, t3.n);
    assert.equal(three.uploads, 18_000);
    assert.equal(new Set(t3.videoId).size, t3.n, 'video ids are unique across shards');
    const shardOf = (id: string) => (/^s(\d+)-/.exec(id)?.[1] ?? '0');
    const creatorShards = new Map<string, Set<string>>();
    for (let i = 0; i < t3.n; i++) {
      const s = shardOf(t3.videoId[i]);
      assert.equal(shardOf(t3.creatorId[i]), s, `row ${i}: a creator belongs to its video's shard`);
      const set = creatorShards.get(t3.creatorId[i]) ?? new Set<string>();
      set.add(s); creatorShards.set(t3.creatorId[i], set);
    }
    assert.ok([...creatorShards.values()].every((s) => s.size === 1));
    // Shard 0 is the seed's own stream at its share of the uploads; the others are new streams.
    const s0 = simulate({ ...small, nVirtual: 6000 }, 3);
    assert.equal(t3.videoId.filter((id) => shardOf(id) === '0').length, s0.table.n);
    assert.ok(['1', '2'].every((s) => t3.videoId.some((id) => shardOf(id) === s)));
    // Parts are per shard and per week; truth has every video.
    const week = readdirSync(join(dir, 'three', 'videos.parquet')).sort()[0];
    assert.match(week, /^week=\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(readdirSync(join(dir, 'three', 'videos.parquet', week)).map((f) => f.slice(0, 11)).filter((v, i, a) => a.indexOf(v) === i).sort(),
      ['part-s0000-', 'part-s0001-', 'part-s0002-']);
    const truth = await readTruthTable(join(dir, 'three'));
    assert.deepEqual([...truth.videoId].sort(), [...t3.videoId].sort());
    assert.ok(!existsSync(join(dir, 'three', 'profile.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad shard settings are refused naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-shards-bad-'));
  try {
    await assert.rejects(simulateShardsToDir(small, 1, join(dir, 'a'), { shards: 0 }), (e: unknown) => e instanceof VigilError && /shards: expected a positive integer/.test(e.message));
    await assert.rejects(simulateShardsToDir(small, 1, join(dir, 'b'), { shards: 7 }), /fewer than 1000 per shard/);
    await assert.rejects(simulateShardsToDir(small, 1, join(dir, 'c'), { shards: 2, knobs: buildKnobs('faint-segment', []) }), /faint-segment/);
    assert.ok(!existsSync(join(dir, 'a')) && !existsSync(join(dir, 'b')) && !existsSync(join(dir, 'c')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
