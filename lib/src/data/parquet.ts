/**
 * Dataset folders on disk: `videos.parquet` (a file or a folder of parts) ⇄ VideoTable and
 * `truth.parquet` ⇄ TruthTable, validated against the schema in schema.ts while reading.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Table, type RecordBatch, type Vector } from 'apache-arrow';
import { takeRows } from './table.js';
import {
  streamParquet, writeParquetTable, parquetParts, utf8Column, float32Column, float64Column,
  int8Column, timestampMsColumn, listFloat32Column, listEmbeddingColumn, listUtf8Column,
} from './arrow.js';
import { partsForRange, writeWeekParts } from './partitions.js';
import { writeDirAtomic } from '../util/atomic.js';
import { VIDEO_COLUMNS, TRUTH_COLUMNS, checkSchema, absentVideoColumns } from './schema.js';
import {
  F32Builder, readStrings, readNumbers, readTimestampsMs, readFloatLists, readEmbeddingLists, readStringLists,
} from './columns.js';
import type { VideoTable, TruthTable } from './table.js';
import { VigilError, fail } from '../util/errors.js';

/** `DIR` → `DIR/videos.parquet`; a file or parts folder is used as given. */
export function resolveVideosPath(path: string): string {
  if (!existsSync(path)) throw new VigilError(`dataset '${path}' does not exist`, { field: 'data' });
  if (statSync(path).isDirectory() && existsSync(join(path, 'videos.parquet'))) return join(path, 'videos.parquet');
  return path;
}

export interface ReadOptions {
  /** When false, a missing `harmful` column is allowed (unlabelled data for scoring); labels become -1. */
  requireLabels?: boolean;
  batchSize?: number;
  /**
   * Only rows uploaded in [fromMs, toMs) are needed: a week-partitioned dataset opens just the
   * partitions overlapping the range (rows of those weeks outside it are still returned; the caller's
   * window filter drops them). Unpartitioned parts are always read.
   */
  window?: { fromMs: number; toMs: number };
}

/** The parts a read opens (all of them, or those a window needs). */
export function partsToRead(file: string, opts: ReadOptions): string[] {
  return opts.window ? partsForRange(file, opts.window.fromMs, opts.window.toMs) : parquetParts(file);
}

/** Accumulates validated record batches into one VideoTable. */
class VideoTableBuilder {
  n = 0;
  videoId: string[] = []; creatorId: string[] = []; uploadTs: number[] = []; durationS: number[] = [];
  country: string[] = []; device: string[] = []; accountAgeDays: number[] = []; priorStrikes: number[] = [];
  uploadHour: number[] = []; transcript: (string | null)[] = []; asrConfidence: number[] = [];
  language: (string | null)[] = []; harmful: number[] = []; policyTags: string[][] = []; weight: number[] = [];
  hasAudio: number[] = [];
  frameCounts: number[] = []; audioCounts: number[] = [];
  frameTs = new F32Builder(); frameEmb = new F32Builder(1 << 16);
  audioTs = new F32Builder(); audioEmb = new F32Builder(1 << 16);
  frameDim: number | null = null; audioDim: number | null = null;
  seen = new Map<string, number>();
  absent: string[] | null = null;
  framesPresent: boolean | null = null;

  constructor(private source: string, private opts: ReadOptions) {}

  add(b: RecordBatch, rowBase: number): void {
    // A column is absent from the dataset only when no part has it (parts may differ, e.g. metadata).
    const absentHere = absentVideoColumns(b.schema);
    this.absent = this.absent === null ? absentHere : this.absent.filter((c) => absentHere.includes(c));
    const col = (name: string): Vector | null => b.getChild(name);
    const need = (name: string): Vector => {
      const v = col(name);
      if (!v) throw new VigilError(`${this.source}: missing column '${name}'`, { field: name });
      return v;
    };
    const m = b.numRows;
    const ids = readStrings(need('video_id'), 'video_id', false, rowBase) as string[];
    ids.forEach((id, i) => {
      if (id === '') fail('video_id', 'empty id', rowBase + i);
      const prev = this.seen.get(id);
      if (prev !== undefined) fail('video_id', `duplicate id '${id}' (first at row ${prev})`, rowBase + i);
      this.seen.set(id, rowBase + i);
    });
    // Optional columns: absent → the "absent" representation of the dataset contract.
    const creators = col('creator_id') ? readStrings(col('creator_id')!, 'creator_id', false, rowBase) as string[] : [...ids];
    const tsv = col('upload_ts');
    const ts = tsv ? readTimestampsMs(tsv, 'upload_ts', rowBase, true) : new Float64Array(m).fill(NaN);
    const numOr = (name: string) => { const v = col(name); return v ? readNumbers(v, name, true, rowBase) : new Float64Array(m).fill(NaN); };
    const strOr = (name: string, dflt: string | null) => {
      const v = col(name);
      return v ? readStrings(v, name, true, rowBase).map((x) => x ?? dflt) : new Array<string | null>(m).fill(dflt);
    };
    const dur = numOr('duration_s');
    const country = strOr('country', 'unknown') as string[];
    const device = strOr('device', 'unknown') as string[];
    const age = numOr('account_age_days');
    const strikes = numOr('prior_strikes');
    const hour = numOr('upload_hour');
    const transcript = strOr('transcript', null);
    const conf = numOr('asr_confidence');
    const lang = strOr('language', null);
    const hv = col('harmful');
    let labels: Float64Array;
    if (hv) labels = readNumbers(hv, 'harmful', false, rowBase);
    else if (this.opts.requireLabels === false) labels = new Float64Array(m).fill(-1);
    else throw new VigilError(`${this.source}: missing column 'harmful' (labels are required here)`, { field: 'harmful' });
    const tv = col('policy_tags');
    const tags = tv ? readStringLists(tv, 'policy_tags', rowBase) : Array.from({ length: m }, () => [] as string[]);
    const wv = col('weight');
    const w = wv ? readNumbers(wv, 'weight', false, rowBase) : new Float64Array(m).fill(1);

    const none = { counts: new Int32Array(m), valid: new Uint8Array(m), dim: null };
    const hasFrames = !!col('frame_emb');
    // Frames are all-or-none across a dataset: every video has >= 1 frame, or the dataset has none.
    if (this.framesPresent !== null && this.framesPresent !== hasFrames && m > 0) {
      fail('frame_emb', `${hasFrames ? 'present' : 'absent'} from row ${rowBase} on, but ${this.framesPresent ? 'present' : 'absent'} in earlier rows (every part of a dataset must have frames, or none)`, rowBase);
    }
    this.framesPresent = hasFrames;
    const fts = hasFrames ? readFloatLists(need('frame_ts'), 'frame_ts', false, rowBase, this.frameTs) : none;
    const femb = hasFrames ? readEmbeddingLists(need('frame_emb'), 'frame_emb', false, rowBase, this.frameEmb, this.frameDim) : none;
    if (hasFrames) this.frameDim = femb.dim;
    const hasAudioCols = !!col('audio_emb');
    const ats = hasAudioCols ? readFloatLists(need('audio_ts'), 'audio_ts', true, rowBase, this.audioTs) : none;
    const aemb = hasAudioCols ? readEmbeddingLists(need('audio_emb'), 'audio_emb', true, rowBase, this.audioEmb, this.audioDim) : none;
    if (hasAudioCols) this.audioDim = aemb.dim;

    for (let i = 0; i < m; i++) {
      const r = rowBase + i;
      if (dur[i] < 0) fail('duration_s', `expected >= 0, got ${dur[i]}`, r);
      if (!(age[i] >= 0) && !Number.isNaN(age[i])) fail('account_age_days', `expected >= 0 or null, got ${age[i]}`, r);
      if (!Number.isNaN(strikes[i]) && (strikes[i] < 0 || !Number.isInteger(strikes[i]))) fail('prior_strikes', `expected a non-negative integer or null, got ${strikes[i]}`, r);
      if (Number.isNaN(hour[i])) hour[i] = -1;
      else if (!Number.isInteger(hour[i]) || hour[i] < 0 || hour[i] > 23) fail('upload_hour', `expected an integer 0–23 or null, got ${hour[i]}`, r);
      if (!Number.isNaN(conf[i]) && (conf[i] < 0 || conf[i] > 1)) fail('asr_confidence', `expected 0–1 or null, got ${conf[i]}`, r);
      if (labels[i] !== 0 && labels[i] !== 1 && !(labels[i] === -1 && !hv)) fail('harmful', `label must be 0 or 1, got ${labels[i]}`, r);
      if (!(w[i] > 0)) fail('weight', `expected a positive weight, got ${w[i]}`, r);
      if (hasFrames && femb.counts[i] < 1) fail('frame_emb', 'a video needs at least one frame embedding', r);
      if (fts.counts[i] !== femb.counts[i]) fail('frame_ts', `has ${fts.counts[i]} times but frame_emb has ${femb.counts[i]} embeddings`, r);
      if (ats.valid[i] !== aemb.valid[i]) fail('audio_ts', 'must be null exactly when audio_emb is null', r);
      if (ats.counts[i] !== aemb.counts[i]) fail('audio_ts', `has ${ats.counts[i]} times but audio_emb has ${aemb.counts[i]} segments`, r);
    }
    this.videoId.push(...ids); this.creatorId.push(...creators);
    for (let i = 0; i < m; i++) {
      this.uploadTs.push(ts[i]); this.durationS.push(dur[i]); this.accountAgeDays.push(age[i]);
      this.priorStrikes.push(strikes[i]); this.uploadHour.push(hour[i]); this.asrConfidence.push(conf[i]);
      this.harmful.push(labels[i]); this.weight.push(w[i]); this.hasAudio.push(aemb.valid[i]);
      this.frameCounts.push(femb.counts[i]); this.audioCounts.push(aemb.counts[i]);
    }
    this.country.push(...country); this.device.push(...device); this.transcript.push(...transcript);
    this.language.push(...lang); this.policyTags.push(...tags);
    this.n += m;
  }

  finish(): VideoTable {
    const csr = (counts: number[]) => {
      const o = new Int32Array(counts.length + 1);
      for (let i = 0; i < counts.length; i++) o[i + 1] = o[i] + counts[i];
      return o;
    };
    return {
      n: this.n,
      videoId: this.videoId, creatorId: this.creatorId, uploadTs: Float64Array.from(this.uploadTs),
      durationS: Float32Array.from(this.durationS), country: this.country, device: this.device,
      accountAgeDays: Float32Array.from(this.accountAgeDays), priorStrikes: Float32Array.from(this.priorStrikes),
      uploadHour: Int8Array.from(this.uploadHour),
      frameDim: this.frameDim ?? 0, frameOffsets: csr(this.frameCounts), frameTs: this.frameTs.finish(), frameEmb: this.frameEmb.finish(),
      audioDim: this.audioDim ?? 0, hasAudio: Uint8Array.from(this.hasAudio), audioOffsets: csr(this.audioCounts),
      audioTs: this.audioTs.finish(), audioEmb: this.audioEmb.finish(),
      transcript: this.transcript, asrConfidence: Float32Array.from(this.asrConfidence), language: this.language,
      harmful: Int8Array.from(this.harmful), policyTags: this.policyTags, weight: Float32Array.from(this.weight),
      // Only set when something is absent, so a complete file reads exactly as a table built in memory.
      ...(this.absent && this.absent.length > 0 ? { absentColumns: this.absent } : {}),
    };
  }
}

/** Read and validate a dataset's videos (a dataset folder, a `videos.parquet` file or a parts folder). */
export async function readVideoTable(path: string, opts: ReadOptions = {}): Promise<VideoTable> {
  const file = resolveVideosPath(path);
  const b = new VideoTableBuilder(file, opts);
  let lastSchema: unknown = null;
  await streamParquet(file, (batch, rowBase) => {
    // Every part is checked (parts of one dataset may come from different writers).
    if (batch.schema !== lastSchema) {
      checkSchema(batch.schema, VIDEO_COLUMNS, file, opts.requireLabels === false ? ['harmful'] : []);
      lastSchema = batch.schema;
    }
    b.add(batch, rowBase);
  }, { batchSize: opts.batchSize, files: partsToRead(file, opts) });
  if (lastSchema === null) throw new VigilError(`${file}: no rows`, { field: 'videos.parquet' });
  return b.finish();
}

/**
 * Stream a dataset in validated chunks (each a small VideoTable) without holding it all in memory —
 * for statistics over datasets larger than memory.
 */
export async function scanVideoBatches(
  path: string, onChunk: (chunk: VideoTable, rowBase: number) => void | Promise<void>, opts: ReadOptions = {},
): Promise<number> {
  const file = resolveVideosPath(path);
  const seen = new Map<string, number>();
  let checked = false;
  return streamParquet(file, async (batch, rowBase) => {
    if (!checked) { checkSchema(batch.schema, VIDEO_COLUMNS, file, opts.requireLabels === false ? ['harmful'] : []); checked = true; }
    const b = new VideoTableBuilder(file, opts);
    b.seen = seen; // duplicate ids are detected across the whole scan
    b.add(batch, rowBase);
    await onChunk(b.finish(), rowBase);
  }, { batchSize: opts.batchSize, files: partsToRead(file, opts) });
}

/**
 * Whether column `name` can be left out of the file: the dataset lacks the modality (frameDim 0,
 * audioDim 0), or the table says the column was absent and every value still holds the absent
 * representation (so nothing set since is lost).
 */
function omitColumn(t: VideoTable, name: string): boolean {
  if (name === 'frame_emb' || name === 'frame_ts') return t.frameDim === 0;
  if (name === 'audio_emb' || name === 'audio_ts') return t.audioDim === 0;
  if (!t.absentColumns?.includes(name)) return false;
  const all = <T>(a: ArrayLike<T>, ok: (v: T, i: number) => boolean) => { for (let i = 0; i < a.length; i++) if (!ok(a[i], i)) return false; return true; };
  switch (name) {
    case 'creator_id': return all(t.creatorId, (c, i) => c === t.videoId[i]);
    case 'upload_ts': return all(t.uploadTs, Number.isNaN);
    case 'duration_s': return all(t.durationS, Number.isNaN);
    case 'account_age_days': return all(t.accountAgeDays, Number.isNaN);
    case 'prior_strikes': return all(t.priorStrikes, Number.isNaN);
    case 'asr_confidence': return all(t.asrConfidence, Number.isNaN);
    case 'country': return all(t.country, (c) => c === 'unknown');
    case 'device': return all(t.device, (c) => c === 'unknown');
    case 'upload_hour': return all(t.uploadHour, (h) => h === -1);
    case 'transcript': return all(t.transcript, (x) => x === null);
    case 'language': return all(t.language, (x) => x === null);
    case 'policy_tags': return all(t.policyTags, (x) => x.length === 0);
    case 'weight': return all(t.weight, (w) => w === 1);
    default: return false;
  }
}

/** VideoTable → Arrow table in the contract's column order, without the columns the dataset lacks. */
export function videoTableToArrow(t: VideoTable): Table {
  const nullableStr = (a: (string | null)[]) => utf8Column(a);
  const cols: Record<string, () => Vector> = {
    video_id: () => utf8Column(t.videoId),
    creator_id: () => utf8Column(t.creatorId),
    upload_ts: () => timestampMsColumn(t.uploadTs),
    duration_s: () => float32Column(t.durationS, true),
    country: () => utf8Column(t.country),
    device: () => utf8Column(t.device),
    account_age_days: () => float32Column(t.accountAgeDays, true),
    prior_strikes: () => float32Column(t.priorStrikes, true),
    upload_hour: () => int8Column(t.uploadHour, (h) => h < 0),
    frame_ts: () => listFloat32Column(t.frameOffsets, t.frameTs),
    frame_emb: () => listEmbeddingColumn(t.frameOffsets, t.frameEmb, t.frameDim),
    audio_emb: () => listEmbeddingColumn(t.audioOffsets, t.audioEmb, t.audioDim, t.hasAudio),
    audio_ts: () => listFloat32Column(t.audioOffsets, t.audioTs, t.hasAudio),
    transcript: () => nullableStr(t.transcript),
    asr_confidence: () => float32Column(t.asrConfidence, true),
    language: () => nullableStr(t.language),
    harmful: () => int8Column(t.harmful),
    policy_tags: () => listUtf8Column(t.policyTags),
    weight: () => float32Column(t.weight),
  };
  const out: Record<string, Vector> = {};
  for (const [name, make] of Object.entries(cols)) if (!omitColumn(t, name)) out[name] = make();
  return new Table(out);
}

/**
 * Write a VideoTable. Up to `partRows` rows → one Parquet file at `file`; more → `file` becomes a folder
 * of parts (readers accept both), keeping each wasm write bounded. `partitionBy: 'week'` writes a
 * Hive-partitioned folder by upload week instead (data/partitions.ts). A folder replaces `file` atomically.
 */
export async function writeVideoTable(file: string, t: VideoTable, opts: { partRows?: number; partitionBy?: 'week' } = {}): Promise<void> {
  const partRows = opts.partRows ?? 100_000;
  if (opts.partitionBy !== 'week' && t.n <= partRows) { writeParquetTable(file, videoTableToArrow(t)); return; }
  await writeDirAtomic(file, (tmp) => { addVideoParts(tmp, t, { prefix: 'part-', partRows, partitionBy: opts.partitionBy }); });
}

/**
 * Add `t`'s rows to the folder of parts `dir` (created if needed; parts already there are kept) as
 * parts named `${prefix}NNNNN.parquet`, flat or under week partitions. For datasets written piece by
 * piece (a sharded simulation); the caller makes the whole folder appear atomically.
 */
export function addVideoParts(dir: string, t: VideoTable, opts: { prefix: string; partRows?: number; partitionBy?: 'week' }): string[] {
  const partRows = opts.partRows ?? 100_000;
  if (opts.partitionBy === 'week') return writeWeekParts(dir, t, videoTableToArrow, { partRows, prefix: opts.prefix });
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (let s = 0, k = 0; s < t.n; s += partRows, k++) {
    const name = `${opts.prefix}${String(k).padStart(5, '0')}.parquet`;
    writeParquetTable(join(dir, name), videoTableToArrow(takeRows(t, Array.from({ length: Math.min(partRows, t.n - s) }, (_, i) => s + i))));
    written.push(name);
  }
  return written;
}

export async function writeTruthTable(file: string, t: TruthTable): Promise<void> {
  writeParquetTable(file, new Table({
    video_id: utf8Column(t.videoId),
    true_harmful: int8Column(t.trueHarmful),
    category: utf8Column(t.category),
    oracle_p: float64Column(t.oracleP),
    reupload_of: utf8Column(t.reuploadOf),
  }));
}

export async function readTruthTable(path: string): Promise<TruthTable> {
  const file = existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'truth.parquet')) ? join(path, 'truth.parquet') : path;
  parquetParts(file);
  const out: TruthTable = { n: 0, videoId: [], trueHarmful: new Int8Array(0), category: [], oracleP: new Float64Array(0), reuploadOf: [] };
  const th: number[] = [], op: number[] = [];
  let checked = false;
  await streamParquet(file, (b, rowBase) => {
    if (!checked) { checkSchema(b.schema, TRUTH_COLUMNS, file); checked = true; }
    out.videoId.push(...(readStrings(b.getChild('video_id')!, 'video_id', false, rowBase) as string[]));
    readNumbers(b.getChild('true_harmful')!, 'true_harmful', false, rowBase).forEach((x) => th.push(x));
    out.category.push(...(readStrings(b.getChild('category')!, 'category', false, rowBase) as string[]));
    readNumbers(b.getChild('oracle_p')!, 'oracle_p', false, rowBase).forEach((x) => op.push(x));
    out.reuploadOf.push(...readStrings(b.getChild('reupload_of')!, 'reupload_of', true, rowBase));
  });
  out.n = out.videoId.length;
  out.trueHarmful = Int8Array.from(th);
  out.oracleP = Float64Array.from(op);
  return out;
}
