import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { pooledFeatures, pooledNames, pooledDim } from '../features/pooled.js';
import { audioMaxNames, audioMaxPooled } from './audioMax.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';

/**
 * The pooled feature matrices handed to the Python peers: for each part (train, calib, test) a raw
 * little-endian float32 file of rows × d values, row-major, plus one header.json with the shape,
 * column names and per-row labels, weights and group ids. numpy reads it with `np.fromfile` — no
 * pyarrow, which Debian's Python lacks. The features are `pooledFeatures` (meta | mean frame | max
 * frame | mean audio | audio available | text) followed by the max-pooled audio segments
 * (`audioMax.ts`), all with the same fitted preprocessor the fusion model uses.
 */
export const EXPORT_FORMAT = 'vigil-pooled-f32';

export interface ExportPart {
  file: string;
  rows: number;
  labels: number[];
  weights: number[];
  /** Leakage group (or creator) id per row, for grouped resampling on the Python side. */
  group_ids: number[];
  video_ids: string[];
}

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: 1;
  dtype: 'float32';
  byte_order: 'little';
  d: number;
  columns: string[];
  parts: Record<string, ExportPart>;
}

export interface ExportRequest {
  /** Part name → table rows (in the order the peers must score them). */
  parts: Record<string, ArrayLike<number>>;
  /** Group id per table row (length table.n). */
  groupIds: ArrayLike<number>;
  /** Rows pooled per chunk (bounds memory: chunk × d floats at a time). */
  chunkRows?: number;
}

const LITTLE = endianness() === 'LE';

/** Bytes of a Float32Array in little-endian order, whatever the host order is. */
function littleEndianBytes(x: Float32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const out = new Uint8Array(x.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) dv.setFloat32(i * 4, x[i], true);
  return out;
}

/** Write `dir/header.json` and one `<part>.f32` per part. Returns the header. */
export function exportPooledFeatures(dir: string, fitted: FittedPreprocessor, table: VideoTable, req: ExportRequest): ExportHeader {
  if (req.groupIds.length !== table.n) {
    throw new VigilError(`feature export: 'groupIds' has ${req.groupIds.length} entries but the table has ${table.n} rows`, { field: 'groupIds' });
  }
  mkdirSync(dir, { recursive: true });
  const d0 = pooledDim(fitted), da = fitted.dims.audio;
  const d = d0 + da;
  const chunk = Math.max(1, req.chunkRows ?? 4096);
  const parts: Record<string, ExportPart> = {};
  for (const [name, rows] of Object.entries(req.parts)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new VigilError(`feature export: part name '${name}' must be lower-case letters, digits or _`, { field: 'parts' });
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (!Number.isInteger(r) || r < 0 || r >= table.n) throw new VigilError(`feature export: part '${name}' row ${k} is ${r}, outside 0..${table.n - 1}`, { field: `parts.${name}` });
    }
    const file = `${name}.f32`;
    const tmp = join(dir, `.${file}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      for (let s = 0; s < rows.length; s += chunk) {
        const idx = Array.from({ length: Math.min(chunk, rows.length - s) }, (_, k) => rows[s + k]);
        const m = pooledFeatures(fitted, table, idx);
        const amax = audioMaxPooled(fitted, table, idx);
        const X = new Float32Array(idx.length * d);
        for (let b = 0; b < idx.length; b++) {
          X.set(m.X.subarray(b * d0, (b + 1) * d0), b * d);
          X.set(amax.subarray(b * da, (b + 1) * da), b * d + d0);
        }
        const bytes = littleEndianBytes(X);
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, file));
    const list = Array.from(rows);
    parts[name] = {
      file, rows: list.length,
      labels: list.map((r) => table.harmful[r]), weights: list.map((r) => table.weight[r]),
      group_ids: list.map((r) => req.groupIds[r]), video_ids: list.map((r) => table.videoId[r]),
    };
  }
  const header: ExportHeader = { format: EXPORT_FORMAT, version: 1, dtype: 'float32', byte_order: 'little', d, columns: [...pooledNames(fitted), ...audioMaxNames(fitted)], parts };
  writeJsonAtomic(join(dir, 'header.json'), header);
  return header;
}

/** Read an export back (the TypeScript mirror of the peers' reader; used by tests and checks). */
export function readFeatureExport(dir: string): { header: ExportHeader; X: Record<string, Float32Array> } {
  let header: ExportHeader;
  try { header = JSON.parse(readFileSync(join(dir, 'header.json'), 'utf8')) as ExportHeader; } catch (e) {
    throw new VigilError(`feature export ${dir}: header.json cannot be read (${(e as Error).message})`, { field: 'header.json' });
  }
  if (header.format !== EXPORT_FORMAT) throw new VigilError(`feature export ${dir}: format '${String(header.format)}' is not ${EXPORT_FORMAT}`, { field: 'format' });
  const X: Record<string, Float32Array> = {};
  for (const [name, p] of Object.entries(header.parts)) {
    const buf = readFileSync(join(dir, p.file));
    if (buf.length !== p.rows * header.d * 4) {
      throw new VigilError(`feature export ${dir}: ${p.file} has ${buf.length} bytes, expected ${p.rows} × ${header.d} × 4`, { field: p.file });
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const out = new Float32Array(p.rows * header.d);
    for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
    X[name] = out;
  }
  return { header, X };
}

/** Read a raw little-endian float32 file (the peers' score output). */
export function readFloat32LE(file: string): Float32Array {
  const buf = readFileSync(file);
  if (buf.length % 4 !== 0) throw new VigilError(`${file}: ${buf.length} bytes is not a whole number of float32 values`, { field: file });
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Float32Array.from({ length: buf.length / 4 }, (_, i) => dv.getFloat32(i * 4, true));
}
