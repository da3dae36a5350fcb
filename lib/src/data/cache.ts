/**
 * A columnar cache of a validated VideoTable beside its dataset. Decoding nested embedding lists
 * from Parquet costs tens of seconds per few hundred MB (one repetition/definition level per float);
 * the cache holds the same typed arrays raw, so every later run loads in about a second. It is keyed
 * by the Parquet parts' names, sizes and modification times: changing the data invalidates it, and a
 * missing or unreadable cache simply falls back to Parquet.
 */
import { existsSync, mkdirSync, readFileSync, statSync, openSync, readSync, closeSync, writeSync, renameSync, rmSync } from 'node:fs';
import { join, dirname, basename, relative } from 'node:path';
import { parquetParts } from './arrow.js';
import { readVideoTable, resolveVideosPath } from './parquet.js';
import type { VideoTable } from './table.js';
import { sha256 } from '../util/hash.js';

const CACHE_DIR = '.vigil-cache';
// 2: records which optional columns the file lacked (`absentColumns`), so a hit equals a fresh read.
const FORMAT = 2;

type TypedKey = 'uploadTs' | 'durationS' | 'accountAgeDays' | 'priorStrikes' | 'uploadHour' | 'frameOffsets' | 'frameTs' |
  'frameEmb' | 'hasAudio' | 'audioOffsets' | 'audioTs' | 'audioEmb' | 'asrConfidence' | 'harmful' | 'weight';
type Column = VideoTable[TypedKey];
type ColumnCtor = new (b: ArrayBuffer, o: number, n: number) => Column;
/** The typed columns in file order, each with its array type. */
const TYPED: [TypedKey, ColumnCtor][] = [
  ['uploadTs', Float64Array], ['durationS', Float32Array], ['accountAgeDays', Float32Array],
  ['priorStrikes', Float32Array], ['uploadHour', Int8Array], ['frameOffsets', Int32Array],
  ['frameTs', Float32Array], ['frameEmb', Float32Array], ['hasAudio', Uint8Array],
  ['audioOffsets', Int32Array], ['audioTs', Float32Array], ['audioEmb', Float32Array],
  ['asrConfidence', Float32Array], ['harmful', Int8Array], ['weight', Float32Array],
];

export function cacheKey(videosPath: string): string {
  // The path inside the dataset names a part (Hive partitions repeat part names across week folders).
  const parts = parquetParts(videosPath).map((p) => { const s = statSync(p); return `${p === videosPath ? basename(p) : relative(videosPath, p)}:${s.size}:${s.mtimeMs}`; });
  return sha256(`${FORMAT}\n${parts.join('\n')}`).slice(0, 24);
}

function cachePath(videosPath: string): string {
  const base = statSync(videosPath).isDirectory() ? videosPath : dirname(videosPath);
  return join(base, CACHE_DIR, `${cacheKey(videosPath)}.bin`);
}

/** Header (JSON, length-prefixed) + each typed array's bytes, 8-byte aligned. */
export function writeTableCache(file: string, t: VideoTable): void {
  mkdirSync(dirname(file), { recursive: true });
  const strings = {
    videoId: t.videoId, creatorId: t.creatorId, country: t.country, device: t.device,
    transcript: t.transcript, language: t.language, policyTags: t.policyTags,
  };
  const arrays = TYPED.map(([k]) => t[k]);
  const header = Buffer.from(JSON.stringify({ format: FORMAT, n: t.n, frameDim: t.frameDim, audioDim: t.audioDim, absentColumns: t.absentColumns ?? null, strings, lengths: arrays.map((a) => a.length) }));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeSync(fd, len);
    writeSync(fd, header);
    let pos = 8 + header.length;
    for (const a of arrays) {
      const pad = (8 - (pos % 8)) % 8;
      if (pad) { writeSync(fd, Buffer.alloc(pad)); pos += pad; }
      writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      pos += a.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function readTableCache(file: string): VideoTable {
  const size = statSync(file).size;
  const buf = new ArrayBuffer(size);
  const fd = openSync(file, 'r');
  try {
    const view = new Uint8Array(buf);
    let off = 0;
    while (off < size) off += readSync(fd, view, off, Math.min(1 << 30, size - off), off);
  } finally {
    closeSync(fd);
  }
  const hlen = Number(new DataView(buf).getBigUint64(0, true));
  const h = JSON.parse(Buffer.from(buf, 8, hlen).toString('utf8'));
  if (h.format !== FORMAT) throw new Error('cache format mismatch');
  const columns = new Map<TypedKey, Column>();
  let pos = 8 + hlen;
  TYPED.forEach(([k, Ctor], i) => {
    pos += (8 - (pos % 8)) % 8;
    const a = new Ctor(buf, pos, h.lengths[i]);
    columns.set(k, a);
    pos += a.byteLength;
  });
  // Each column was built with its TYPED constructor; the guard gives it back its own array type.
  const col = <C extends Column>(k: TypedKey, Ctor: new (b: ArrayBuffer, o: number, n: number) => C): C => {
    const a = columns.get(k);
    if (!(a instanceof Ctor)) throw new Error(`cache: column '${k}' is missing or of the wrong type`);
    return a;
  };
  const table: VideoTable = {
    n: h.n, frameDim: h.frameDim, audioDim: h.audioDim,
    videoId: h.strings.videoId, creatorId: h.strings.creatorId, country: h.strings.country, device: h.strings.device,
    transcript: h.strings.transcript, language: h.strings.language, policyTags: h.strings.policyTags,
    uploadTs: col('uploadTs', Float64Array), durationS: col('durationS', Float32Array), accountAgeDays: col('accountAgeDays', Float32Array),
    priorStrikes: col('priorStrikes', Float32Array), uploadHour: col('uploadHour', Int8Array), frameOffsets: col('frameOffsets', Int32Array),
    frameTs: col('frameTs', Float32Array), frameEmb: col('frameEmb', Float32Array), hasAudio: col('hasAudio', Uint8Array),
    audioOffsets: col('audioOffsets', Int32Array), audioTs: col('audioTs', Float32Array), audioEmb: col('audioEmb', Float32Array),
    asrConfidence: col('asrConfidence', Float32Array), harmful: col('harmful', Int8Array), weight: col('weight', Float32Array),
  };
  if (Array.isArray(h.absentColumns)) table.absentColumns = h.absentColumns;
  return table;
}

/**
 * `readVideoTable` through the cache: a hit loads raw arrays; a miss reads (and validates) Parquet,
 * then writes the cache for next time (best effort: a read-only dataset folder just skips it).
 */
export async function loadVideoTableCached(path: string): Promise<VideoTable> {
  const videos = resolveVideosPath(path);
  const file = cachePath(videos);
  if (existsSync(file)) {
    try { return readTableCache(file); } catch { rmSync(file, { force: true }); }
  }
  const t = await readVideoTable(videos);
  try { writeTableCache(file, t); } catch { /* cache is an optimisation only */ }
  return t;
}

/** Seed the cache for a table just written to `videosPath` (the simulator holds it in memory already). */
export function primeTableCache(videosPath: string, t: VideoTable): void {
  try { writeTableCache(cachePath(videosPath), t); } catch { /* optional */ }
}
