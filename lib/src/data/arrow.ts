/**
 * Generic Arrow ⇄ Parquet plumbing (apache-arrow in JS, parquet-wasm for the file format).
 * Everything dataset-specific lives in videos.ts / truth.ts; this file only moves tables.
 */
import { openAsBlob, readdirSync, statSync, existsSync, mkdirSync, rmSync, renameSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import {
  Table, RecordBatch, Data, Field, Float32, Float64, Int8, Int32, List, FixedSizeList, Utf8, Bool,
  TimestampMillisecond, makeData, makeVector, vectorFromArray, tableFromIPC, tableToIPC, type DataType, type Vector,
} from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { writeFileAtomic } from '../util/atomic.js';
import { guardWasmTrap, WasmTrap } from './wasmTrap.js';
import { VigilError } from '../util/errors.js';

/** A Hive partition folder, `key=value` (e.g. `week=2026-05-04`), as Spark writes them. */
export const HIVE_DIR = /^[A-Za-z_][A-Za-z0-9_]*=[^/]+$/;

/**
 * The Parquet files behind a path: the file itself, or the `*.parquet` parts of a folder, including
 * those inside Hive partition folders (`key=value/part-*.parquet`, any depth). Sorted by their path
 * relative to the folder, which fixes the row order of a read.
 */
export function parquetParts(path: string): string[] {
  if (!existsSync(path)) throw new VigilError(`'${path}' does not exist`, { field: 'path' });
  if (statSync(path).isFile()) return [path];
  const rel: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const f of readdirSync(dir)) {
      if (f.startsWith('.')) continue;
      const full = join(dir, f);
      if (f.endsWith('.parquet') && statSync(full).isFile()) rel.push(prefix + f);
      else if (HIVE_DIR.test(f) && statSync(full).isDirectory()) walk(full, `${prefix}${f}/`);
    }
  };
  walk(path, '');
  if (rel.length === 0) throw new VigilError(`'${path}' is a folder with no .parquet parts`, { field: 'path' });
  return rel.sort().map((f) => join(path, f));
}

/**
 * Stream record batches of one or more Parquet files. The callback receives Arrow JS batches;
 * at most one batch of the file is decoded at a time, so folders larger than memory can be scanned.
 */
export async function streamParquet(
  path: string,
  onBatch: (batch: RecordBatch, rowOffset: number) => void | Promise<void>,
  opts: { batchSize?: number; columns?: string[]; files?: string[] } = {},
): Promise<number> {
  let rowOffset = 0;
  // `files` (a subset of the path's parts, e.g. the partitions a time window needs) skips the others unopened.
  for (const file of opts.files ?? parquetParts(path)) {
    let pf: pq.ParquetFile;
    try {
      pf = await pq.ParquetFile.fromFile(await openAsBlob(file));
    } catch (e) {
      throw new VigilError(`'${file}' is not a readable Parquet file: ${String((e as Error).message ?? e)}`, { field: 'path' });
    }
    // Row-group sizes are read up front: after a decoder trap the wasm module cannot be asked again.
    const groupRows = rowGroupSizes(pf);
    const fileStart = rowOffset;
    const stream = await pf.stream({ batchSize: opts.batchSize ?? 8192, columns: opts.columns });
    const reader = (stream as ReadableStream<pq.RecordBatch>).getReader();
    for (;;) {
      let next: { done: boolean; value?: pq.RecordBatch };
      try {
        next = await guardWasmTrap(() => reader.read());
      } catch (e) {
        if (!(e instanceof WasmTrap)) throw e;
        throw new VigilError(`'${file}' is corrupt: ${describeRowGroup(groupRows, rowOffset - fileStart)} could not be decoded (a corrupt page made the parquet decoder fail: ${e.message})`, { field: 'path', row: rowOffset });
      }
      const { done, value } = next;
      if (done || !value) break;
      const t = tableFromIPC(value.intoIPCStream());
      for (const b of t.batches) {
        await onBatch(b, rowOffset);
        rowOffset += b.numRows;
      }
    }
    pf.free();
  }
  return rowOffset;
}

function rowGroupSizes(pf: pq.ParquetFile): number[] | null {
  try {
    const md = pf.metadata();
    return Array.from({ length: md.numRowGroups() }, (_, i) => md.rowGroup(i).numRows());
  } catch {
    return null;
  }
}

/** "row group 2 of 5 (rows 16384–24575 of the file)" for the row group holding row `row`. */
function describeRowGroup(sizes: number[] | null, row: number): string {
  if (!sizes) return `the data after row ${row}`;
  let start = 0;
  for (let g = 0; g < sizes.length; g++) {
    if (row < start + sizes[g]) return `row group ${g} of ${sizes.length} (rows ${start}–${start + sizes[g] - 1} of the file)`;
    start += sizes[g];
  }
  return `the data after row ${row}`;
}

/** Read a whole Parquet file or folder into one Arrow table. */
export async function readParquetTable(path: string, opts: { columns?: string[] } = {}): Promise<Table> {
  const batches: RecordBatch[] = [];
  await streamParquet(path, (b) => { batches.push(b); }, opts);
  if (batches.length === 0) {
    const file = parquetParts(path)[0];
    const pf = await pq.ParquetFile.fromFile(await openAsBlob(file));
    const t = await pf.read({ columns: opts.columns });
    return tableFromIPC(t.intoIPCStream());
  }
  return new Table(batches);
}

/** Write an Arrow table as one ZSTD-compressed Parquet file, atomically. */
export function writeParquetTable(file: string, table: Table): void {
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  const bytes = pq.writeParquet(wasmTable, props);
  writeFileAtomic(file, bytes);
}

/**
 * Write a large table as a folder of parts (`part-00000.parquet`, ...) so no single wasm write holds
 * everything; the folder appears atomically.
 */
export function writeParquetParts(dir: string, parts: Table[]): void {
  const tmp = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  parts.forEach((t, k) => writeParquetTable(join(tmp, `part-${String(k).padStart(5, '0')}.parquet`), t));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

// ---- column builders -------------------------------------------------------------------------

export const utf8Column = (values: (string | null)[]): Vector => vectorFromArray(values, new Utf8());

export function float32Column(values: Float32Array, nullable = false): Vector {
  return makeVector(makeData({ type: new Float32(), data: values, ...nullBitmapFor(values, nullable) }));
}

export function float64Column(values: Float64Array, nullable = false): Vector {
  return makeVector(makeData({ type: new Float64(), data: values, ...nullBitmapFor(values, nullable) }));
}

/** Int8 column where `nullWhen(v)` marks nulls (e.g. -1 for an unknown upload hour). */
export function int8Column(values: Int8Array, nullWhen?: (v: number) => boolean): Vector {
  if (!nullWhen) return makeVector(makeData({ type: new Int8(), data: values }));
  const valid = Array.from(values, (v) => !nullWhen(v));
  return makeVector(makeData({ type: new Int8(), data: values, ...bitmapFromValid(valid) }));
}

/** Int32 column where `nullWhen(v)` marks nulls (e.g. -1 for "no fold"). */
export function int32Column(values: Int32Array, nullWhen?: (v: number) => boolean): Vector {
  if (!nullWhen) return makeVector(makeData({ type: new Int32(), data: values }));
  const valid = Array.from(values, (v) => !nullWhen(v));
  return makeVector(makeData({ type: new Int32(), data: values, ...bitmapFromValid(valid) }));
}

export const boolColumn = (values: boolean[]): Vector => vectorFromArray(values, new Bool());

/** Timestamp (ms, UTC) column; NaN values become nulls. */
export function timestampMsColumn(ms: Float64Array): Vector {
  const big = new BigInt64Array(ms.length);
  for (let i = 0; i < ms.length; i++) big[i] = Number.isFinite(ms[i]) ? BigInt(Math.round(ms[i])) : 0n;
  const type = new TimestampMillisecond('UTC');
  return makeVector(makeData({ type, data: big, ...bitmapFromValid(Array.from(ms, Number.isFinite)) }));
}

/** list<float32> from CSR offsets; rows where `valid[i]` is false are null. */
export function listFloat32Column(offsets: Int32Array, values: Float32Array, valid?: ArrayLike<number>): Vector {
  const child = makeData({ type: new Float32(), data: values });
  const type = new List(new Field('item', new Float32(), true));
  const nb = valid ? bitmapFromValid(Array.from(valid, Boolean)) : {};
  return makeVector(makeData({ type, valueOffsets: offsets, child, length: offsets.length - 1, ...nb }));
}

/** list<fixed_size_list<float32, dim>> from CSR offsets over embedding rows. */
export function listEmbeddingColumn(offsets: Int32Array, values: Float32Array, dim: number, valid?: ArrayLike<number>): Vector {
  const floats = makeData({ type: new Float32(), data: values });
  const fslType = new FixedSizeList(dim, new Field('item', new Float32(), false));
  const fsl = makeData({ type: fslType, child: floats, length: values.length / dim });
  const type = new List(new Field('item', fslType, false));
  const nb = valid ? bitmapFromValid(Array.from(valid, Boolean)) : {};
  return makeVector(makeData({ type, valueOffsets: offsets, child: fsl, length: offsets.length - 1, ...nb }));
}

export const listUtf8Column = (values: string[][]): Vector =>
  vectorFromArray(values, new List(new Field('item', new Utf8(), true)));

function bitmapFromValid(valid: boolean[]): { nullBitmap?: Uint8Array; nullCount?: number } {
  let nulls = 0;
  const bm = new Uint8Array(Math.ceil(valid.length / 8));
  for (let i = 0; i < valid.length; i++) {
    if (valid[i]) bm[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? {} : { nullBitmap: bm, nullCount: nulls };
}

function nullBitmapFor(values: Float32Array | Float64Array, nullable: boolean) {
  if (!nullable) return {};
  return bitmapFromValid(Array.from(values, (v) => !Number.isNaN(v)));
}

// ---- column readers ----------------------------------------------------------------------------

/** True when row i (relative to the data) is non-null. */
export function isValidAt(d: Data, i: number): boolean {
  if (!d.nullBitmap || d.nullCount === 0) return true;
  const j = d.offset + i;
  return (d.nullBitmap[j >> 3] & (1 << (j & 7))) !== 0;
}

export function typeName(t: DataType): string {
  return String(t);
}
