/**
 * Hive partitioning of a dataset by upload week, as Spark writes it:
 * `videos.parquet/week=2026-05-04/part-00000.parquet`. A week starts on Monday 00:00 UTC and the
 * folder carries that Monday's date. Readers that need only a time window open only the partitions
 * that overlap it; a folder without partitions (or a single file) is always read whole.
 */
import { mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Table } from 'apache-arrow';
import type { VideoTable } from './table.js';
import { MS_PER_DAY, MS_PER_WEEK, takeRows } from './table.js';
import { parquetParts, writeParquetTable } from './arrow.js';
import { VigilError } from '../util/errors.js';

export const WEEK_KEY = 'week';

/** 1970-01-01 was a Thursday: Mondays are 4 days after the epoch modulo 7. */
const MONDAY_OFFSET = 4 * MS_PER_DAY;

/** The Monday 00:00 UTC starting the week of `ms`. */
export function weekStartMs(ms: number): number {
  return Math.floor((ms - MONDAY_OFFSET) / MS_PER_WEEK) * MS_PER_WEEK + MONDAY_OFFSET;
}

export const weekLabel = (ms: number): string => new Date(weekStartMs(ms)).toISOString().slice(0, 10);

/** The week a part belongs to (its `week=YYYY-MM-DD` folder), or null for an unpartitioned part. */
export function partWeek(root: string, part: string): number | null {
  for (const seg of relative(root, part).split(sep)) {
    const m = /^week=(\d{4}-\d{2}-\d{2})$/.exec(seg);
    if (!m) continue;
    const ms = Date.parse(`${m[1]}T00:00:00Z`);
    if (!Number.isFinite(ms) || weekStartMs(ms) !== ms) {
      throw new VigilError(`partition '${seg}' in '${root}': expected week=YYYY-MM-DD naming a Monday`, { field: WEEK_KEY });
    }
    return ms;
  }
  return null;
}

/**
 * The parts of `path` that may hold rows uploaded in [fromMs, toMs): partitioned parts whose week
 * overlaps the range, plus every unpartitioned part (nothing is known about its times).
 */
export function partsForRange(path: string, fromMs: number, toMs: number): string[] {
  return parquetParts(path).filter((p) => {
    const w = partWeek(path, p);
    return w === null || (w < toMs && w + MS_PER_WEEK > fromMs);
  });
}

/**
 * Write `t`'s rows as week parts into the folder `dir` (created if needed; parts already there are
 * kept): rows are grouped by upload week, in table order within a week, and each week is cut into
 * parts of `partRows` rows named `${prefix}NNNNN.parquet`. Rows without an upload time cannot be
 * placed in a week and are refused. The caller makes the folder appear atomically (parquet.ts
 * `writeVideoTable`, or a sharded simulation).
 */
export function writeWeekParts(dir: string, t: VideoTable, toArrow: (t: VideoTable) => Table, opts: { partRows?: number; prefix?: string } = {}): string[] {
  const partRows = opts.partRows ?? 100_000;
  const prefix = opts.prefix ?? 'part-';
  mkdirSync(dir, { recursive: true });
  const byWeek = new Map<number, number[]>();
  for (let i = 0; i < t.n; i++) {
    const ts = t.uploadTs[i];
    if (!Number.isFinite(ts)) throw new VigilError(`upload_ts: row ${i} (video '${t.videoId[i]}') has no upload time, so it has no week partition`, { field: 'upload_ts', row: i });
    const w = weekStartMs(ts);
    const l = byWeek.get(w);
    if (l) l.push(i); else byWeek.set(w, [i]);
  }
  const written: string[] = [];
  for (const w of [...byWeek.keys()].sort((a, b) => a - b)) {
    const rows = byWeek.get(w)!;
    const sub = `${WEEK_KEY}=${weekLabel(w)}`;
    mkdirSync(join(dir, sub), { recursive: true });
    for (let s = 0, k = 0; s < rows.length; s += partRows, k++) {
      const name = join(sub, `${prefix}${String(k).padStart(5, '0')}.parquet`);
      writeParquetTable(join(dir, name), toArrow(takeRows(t, rows.slice(s, s + partRows))));
      written.push(name);
    }
  }
  return written;
}
