/**
 * `split.parquet`: video_id utf8, group_id int32, split utf8, fold int32 (nullable) — plain Parquet
 * (ZSTD) that Spark or pandas read unchanged.
 */
import { readFileSync, existsSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import type { SplitAssignment } from './types.js';
import { SPLIT_NAMES, type SplitName } from './types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VigilError, fail } from '../util/errors.js';

/** The split as Parquet bytes. */
export function splitToParquet(a: SplitAssignment): Uint8Array {
  const n = a.videoId.length;
  const table = new arrow.Table({
    video_id: arrow.vectorFromArray(a.videoId, new arrow.Utf8()),
    group_id: arrow.makeVector(Int32Array.from(a.groupId)),
    split: arrow.vectorFromArray(Array.from(a.split, (s) => SPLIT_NAMES[s]), new arrow.Utf8()),
    fold: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (a.fold[i] < 0 ? null : a.fold[i])), new arrow.Int32()),
  });
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  return pq.writeParquet(wasmTable, props);
}

export function writeSplitParquet(path: string, a: SplitAssignment): void {
  writeFileAtomic(path, splitToParquet(a));
}

/** Read a split written by `vigil split` (or any tool writing the same four columns). */
export function readSplitParquet(path: string): SplitAssignment {
  if (!existsSync(path)) throw new VigilError(`split file '${path}' does not exist`, { field: 'split' });
  const t = arrow.tableFromIPC(pq.readParquet(readFileSync(path)).intoIPCStream());
  const col = (name: string) => {
    const c = t.getChild(name);
    if (!c) throw new VigilError(`split file '${path}': missing column '${name}'`, { field: name });
    return c;
  };
  const ids = col('video_id'), groups = col('group_id'), splits = col('split'), folds = col('fold');
  const n = t.numRows;
  const out: SplitAssignment = { videoId: new Array<string>(n), groupId: new Int32Array(n), split: new Uint8Array(n), fold: new Int8Array(n) };
  for (let i = 0; i < n; i++) {
    const id = ids.get(i);
    if (typeof id !== 'string') fail('video_id', 'a non-null string', i);
    out.videoId[i] = id;
    const g = Number(groups.get(i));
    if (!Number.isInteger(g)) fail('group_id', 'an integer', i);
    out.groupId[i] = g;
    const s = SPLIT_NAMES.indexOf(splits.get(i) as SplitName);
    if (s < 0) fail('split', `one of ${SPLIT_NAMES.join(', ')}, got '${String(splits.get(i))}'`, i);
    out.split[i] = s;
    const f = folds.get(i);
    out.fold[i] = f === null ? -1 : Number(f);
  }
  return out;
}
