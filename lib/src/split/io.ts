/**
 * `split.parquet`: video_id utf8, group_id int32, split utf8, fold int32 (nullable) — plain Parquet
 * (ZSTD) that Spark or pandas read unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { Table } from 'apache-arrow';
import type { SplitAssignment } from './types.js';
import { SPLIT_NAMES, type SplitName } from './types.js';
import { writeParquetTable, readParquetTable, utf8Column, int32Column } from '../data/arrow.js';
import { VigilError, fail } from '../util/errors.js';
import { splitFingerprint } from './split.js';

export function splitToArrow(a: SplitAssignment): Table {
  return new Table({
    video_id: utf8Column(a.videoId),
    group_id: int32Column(Int32Array.from(a.groupId)),
    split: utf8Column(Array.from(a.split, (s) => SPLIT_NAMES[s])),
    fold: int32Column(Int32Array.from(a.fold), (v) => v < 0),
  });
}

export function writeSplitParquet(path: string, a: SplitAssignment): void {
  writeParquetTable(path, splitToArrow(a));
}

/** Read a split written by `vigil split` (or any tool writing the same four columns). */
export async function readSplitParquet(path: string): Promise<SplitAssignment> {
  if (!existsSync(path)) throw new VigilError(`split file '${path}' does not exist`, { field: 'split' });
  const t = await readParquetTable(path);
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
    if (f !== null && !(Number.isInteger(Number(f)) && Number(f) >= 0 && Number(f) < 128)) fail('fold', 'null or an integer 0..127', i);
    out.fold[i] = f === null ? -1 : Number(f);
  }
  return out;
}

/**
 * Align a stored split with a table's rows (by video_id): a split made for other data, or missing
 * some of this table's videos, is an error rather than a silent mismatch.
 */
export function alignSplit(a: SplitAssignment, videoId: string[]): SplitAssignment {
  const at = new Map<string, number>();
  a.videoId.forEach((v, k) => at.set(v, k));
  const n = videoId.length;
  const out: SplitAssignment = { videoId: [...videoId], groupId: new Int32Array(n), split: new Uint8Array(n), fold: new Int8Array(n) };
  for (let i = 0; i < n; i++) {
    const k = at.get(videoId[i]);
    if (k === undefined) fail('video_id', `a video listed in the split file (video '${videoId[i]}' is not)`, i);
    out.groupId[i] = a.groupId[k]; out.split[i] = a.split[k]; out.fold[i] = a.fold[k];
  }
  return out;
}

/** `split.parquet` → `split.manifest.json` next to it. */
export function splitManifestPath(out: string): string {
  return join(dirname(out), basename(out).replace(/\.parquet$/, '') + '.manifest.json');
}

/**
 * Load a stored split for `table` (an experiment that names a split file): aligned to the table's rows,
 * and checked against the fingerprint in its manifest when one exists, so an edited or mismatched split
 * is an error rather than a silently different experiment.
 */
export async function loadSplitFor(path: string, table: { videoId: string[] }): Promise<{ assignment: SplitAssignment; fingerprint: string }> {
  const stored = await readSplitParquet(path);
  const fingerprint = splitFingerprint(stored);
  const mp = splitManifestPath(path);
  if (existsSync(mp)) {
    const m = JSON.parse(readFileSync(mp, 'utf8')) as { fingerprint?: string };
    if (m.fingerprint && m.fingerprint !== fingerprint) {
      throw new VigilError(`split file '${path}' does not match its manifest (fingerprint ${fingerprint.slice(0, 12)}…, manifest says ${m.fingerprint.slice(0, 12)}…)`, { field: 'split' });
    }
  }
  return { assignment: alignSplit(stored, table.videoId), fingerprint };
}
