/**
 * A simulated dataset too large to hold in memory, generated shard by shard. The simulator keeps its
 * whole world in memory (about 8 KiB per stored row at `tiny`'s sizes) and draws at most 4M uploads,
 * so a dataset of millions of stored rows is written as independent streams of one world: shard 0 is
 * the seed's own stream, shard s ≥ 1 a salted stream (new creators, content and uploads, the same harm
 * directions and vocabularies) whose ids carry the prefix `s<s>-`. Each shard is simulated, written
 * as its own Parquet parts and released before the next, so memory is one shard's, not the dataset's.
 *
 * Shards share no creator and no content, so a split never meets a leakage group across shards; the
 * union is a platform with more creators over the same weeks. One shard writes exactly what
 * `simulateToDir` writes for videos and truth.
 */
import { join } from 'node:path';
import { writeDirAtomic } from '../util/atomic.js';
import { addVideoParts, writeTruthTable } from '../data/parquet.js';
import { VigilError } from '../util/errors.js';
import { simulate, type StreamOptions } from './generate.js';
import { DEFAULT_KNOBS, type SimKnobs, type SimPreset } from './presets.js';

export interface ShardedDataset {
  dir: string;
  shards: number;
  /** Stored rows and virtual uploads over all shards. */
  rows: number;
  uploads: number;
  generationS: number;
  writeS: number;
}

/** The stream of shard `s`: shard 0 is the seed's own stream. */
export function shardStream(s: number): StreamOptions | undefined {
  return s === 0 ? undefined : { salt: `shard-${s}`, idPrefix: `s${s}-` };
}

/** Virtual uploads of each shard: `total` split as evenly as integers allow. */
export function shardUploads(total: number, shards: number): number[] {
  return Array.from({ length: shards }, (_, s) => Math.floor(total / shards) + (s < total % shards ? 1 : 0));
}

/**
 * Simulate `preset` (its `nVirtual` uploads in all) as `shards` streams and write the dataset folder:
 * videos.parquet and truth.parquet as folders of parts (`part-s<s>-NNNNN.parquet`, under week
 * partitions with `partitionBy: 'week'`). No profile.json: it is measured over the whole table, which
 * is never held; readers measure it when they load the dataset.
 */
export async function simulateShardsToDir(preset: SimPreset, seed: number, dir: string, opts: {
  shards: number; knobs?: SimKnobs; partitionBy?: 'week'; partRows?: number; onShard?: (s: number, rows: number) => void;
}): Promise<ShardedDataset> {
  const knobs = opts.knobs ?? DEFAULT_KNOBS;
  if (!(Number.isInteger(opts.shards) && opts.shards >= 1)) throw new VigilError(`shards: expected a positive integer, got ${opts.shards}`, { field: 'shards' });
  if (knobs.faintSegmentFrames > 0) {
    throw new VigilError('shards: the faint-segment variant writes a detector table for the whole dataset; simulate it in one shard', { field: 'shards' });
  }
  const sizes = shardUploads(preset.nVirtual, opts.shards);
  if (sizes[sizes.length - 1] < 1000) throw new VigilError(`shards: ${opts.shards} shards of ${preset.nVirtual} uploads leave fewer than 1000 per shard`, { field: 'shards' });
  let rows = 0, uploads = 0, generationS = 0, writeS = 0;
  await writeDirAtomic(dir, async (tmp) => {
    for (let s = 0; s < opts.shards; s++) {
      const t0 = performance.now();
      const sim = simulate({ ...preset, nVirtual: sizes[s] }, seed, knobs, shardStream(s));
      const t1 = performance.now();
      const prefix = `part-s${String(s).padStart(4, '0')}-`;
      addVideoParts(join(tmp, 'videos.parquet'), sim.table, { prefix, partRows: opts.partRows, partitionBy: opts.partitionBy });
      await writeTruthTable(join(tmp, 'truth.parquet', `${prefix}00000.parquet`), sim.truth);
      generationS += (t1 - t0) / 1000;
      writeS += (performance.now() - t1) / 1000;
      rows += sim.table.n;
      uploads += sim.stream.n;
      opts.onShard?.(s, sim.table.n);
    }
  });
  return { dir, shards: opts.shards, rows, uploads, generationS, writeS };
}
