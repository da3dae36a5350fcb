/**
 * `vigil extract` over many files: each batch of videos is appended to `OUT/videos.parquet/` as one
 * Parquet part (written atomically), so a crash loses at most the batch in flight. A file that cannot
 * be read gets a per-file error and the batch goes on; `OUT/extract_report.json` lists every file's
 * outcome and is rewritten after each batch. Rerunning with the same extractor skips videos the report
 * already lists as extracted, so an interrupted job resumes without duplicates.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { videoTableToArrow, writeVideoTable } from '../data/parquet.js';
import { writeParquetTable } from '../data/arrow.js';
import type { VideoTable } from '../data/table.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { VigilError, isVigilError } from '../util/errors.js';
import { progress } from '../util/progress.js';
import { extractVideoWithStats, videoIdOf, type Extractor, type VideoOptions, type VideoStats } from './extract.js';
import { AUDIO_FEATURE_NAMES } from './audio.js';
import { visualLayout } from './visualEncoder.js';
import { concatVideoTables } from '../data/table.js';

export interface BatchOptions extends Omit<VideoOptions, 'videoId' | 'transcriptPath'> {
  /** Videos per Parquet part. */
  batchSize?: number;
  /** Called after each file (tests and progress). */
  onFile?: (path: string, ok: boolean) => void;
}

export interface FileError { path: string; videoId: string; error: string }

export interface ExtractReport {
  extractorId: string;
  backend: string;
  frameDim: number;
  audioDim: number;
  /** Layout of the stored embeddings, for readers (reason codes use the class probabilities). */
  frameLayout: { embDim: number; probOffset: number; classes: readonly string[] };
  audioFeatures: readonly string[];
  labelled: boolean;
  extracted: VideoStats[];
  failed: FileError[];
  skipped: string[];
  parts: string[];
  seconds: number;
}

export const EXTRACT_VIDEOS_DIR = 'videos.parquet';
export const EXTRACT_REPORT_FILE = 'extract_report.json';

/** Unlabelled parts carry no `harmful` column (readers then treat the rows as unlabelled). */
function writePart(file: string, t: VideoTable, labelled: boolean): Promise<void> | void {
  if (labelled) return writeVideoTable(file, t);
  const arrow = videoTableToArrow(t);
  writeParquetTable(file, arrow.select(arrow.schema.fields.map((f) => f.name).filter((n) => n !== 'harmful')));
}

function previousReport(path: string, ex: Extractor): ExtractReport | null {
  if (!existsSync(path)) return null;
  const r = JSON.parse(readFileSync(path, 'utf8')) as ExtractReport;
  if (r.extractorId !== ex.id) {
    throw new VigilError(`${path}: the folder holds features from extractor '${r.extractorId}', not '${ex.id}'; use a new --out folder`, { field: 'out' });
  }
  return r;
}

export async function extractBatch(inputs: string[], outDir: string, ex: Extractor, opts: BatchOptions = {}): Promise<ExtractReport> {
  const t0 = performance.now();
  const batchSize = Math.max(1, opts.batchSize ?? 16);
  const labelled = opts.labels !== undefined;
  const partsDir = join(outDir, EXTRACT_VIDEOS_DIR);
  const reportPath = join(outDir, EXTRACT_REPORT_FILE);
  mkdirSync(partsDir, { recursive: true });
  const prev = previousReport(reportPath, ex);
  if (prev && prev.labelled !== labelled) {
    throw new VigilError(`${outDir}: earlier parts were written ${prev.labelled ? 'with' : 'without'} labels; pass --labels consistently`, { field: 'labels' });
  }
  const report: ExtractReport = {
    extractorId: ex.id, backend: ex.backend, frameDim: ex.frameDim, audioDim: ex.audioDim,
    frameLayout: visualLayout(ex.frameDim), audioFeatures: AUDIO_FEATURE_NAMES, labelled,
    extracted: prev?.extracted ?? [], failed: [], skipped: [], parts: prev?.parts ?? [], seconds: 0,
  };
  const done = new Set(report.extracted.map((s) => s.videoId));
  // Next part number after the highest present, so an earlier part is never overwritten.
  let partNo = readdirSync(partsDir).map((f) => /^part-(\d+)\.parquet$/.exec(f)).reduce((m, x) => (x ? Math.max(m, Number(x[1]) + 1) : m), 0);

  const bar = progress('extract', inputs.length);
  const seenIds = new Set<string>();
  let pending: VideoTable[] = [];
  let pendingStats: VideoStats[] = [];
  const flush = async () => {
    if (pending.length > 0) {
      const name = `part-${String(partNo++).padStart(5, '0')}.parquet`;
      await writePart(join(partsDir, name), concatVideoTables(pending), labelled);
      report.parts.push(name);
      report.extracted.push(...pendingStats);
      pending = [];
      pendingStats = [];
    }
    report.seconds = (performance.now() - t0) / 1000;
    writeJsonAtomic(reportPath, report);
  };

  for (let k = 0; k < inputs.length; k++) {
    const path = inputs[k];
    const id = videoIdOf(path);
    if (done.has(id)) { report.skipped.push(path); bar.tick(k + 1); continue; }
    try {
      if (seenIds.has(id)) throw new VigilError(`${path}: video_id '${id}' already used by another input in this batch`, { field: 'video_id' });
      seenIds.add(id);
      const { table, stats } = await extractVideoWithStats(path, ex, { ...opts, videoId: id });
      pending.push(table);
      pendingStats.push(stats);
      opts.onFile?.(path, true);
    } catch (e) {
      // One bad file must not cost the others: record it and carry on.
      const msg = isVigilError(e) ? e.message : `${path}: ${(e as Error).message ?? String(e)}`;
      report.failed.push({ path, videoId: id, error: msg });
      opts.onFile?.(path, false);
    }
    bar.tick(k + 1, `${report.failed.length} failed`);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  bar.end(`${report.extracted.length} extracted, ${report.failed.length} failed, ${report.skipped.length} skipped`);
  return report;
}
