/**
 * A labelled table researchers bring (CSV or JSON Lines: a text, a label, maybe an id, a time and an
 * author) → a dataset folder in the feature-store schema. The result is a text-only dataset: no frame
 * or audio embeddings, no metadata — each absent column takes the representation of the dataset
 * contract (see README, "Dataset schema"), and `import.json` records what was imported.
 */
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, extname } from 'node:path';
import type { VideoTable } from './table.js';
import { parseCsv } from './csv.js';
import { writeVideoTable } from './parquet.js';
import { writeDirAtomic, writeJsonAtomic } from '../util/atomic.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';

export interface ImportOptions {
  /** Column holding the text (becomes `transcript`). */
  text: string;
  /** Column holding the label. */
  label: string;
  /** Column holding a unique id; absent → ids from the row number (`row-1`, `row-2`, ...). */
  id?: string;
  /** Column holding an ISO 8601 time or epoch seconds/milliseconds; absent → a dataset without time. */
  time?: string;
  /** Column holding the author/account (becomes `creator_id`, the leakage group); absent → each row its own. */
  group?: string;
  /** Label values that mean harmful; absent → the label must be 0/1 or true/false. */
  positive?: string[];
}

/** What `import.json` holds. */
export interface ImportRecord {
  kind: 'vigil-import';
  source: string;
  format: 'csv' | 'jsonl';
  sourceSha256: string;
  columns: { text: string; label: string; id: string | null; time: string | null; group: string | null };
  /** The label values mapped to harmful = 1 (null: the label was 0/1 or true/false). */
  positiveValues: string[] | null;
  rows: number;
  positives: number;
  /** Whether upload times were imported (without them the split is a stratified group split). */
  time: boolean;
  /** Rows with an empty text (stored as no transcript). */
  emptyText: number;
  /** Rows whose group value was empty (each is its own group). */
  emptyGroup: number;
  /** Distinct label values and their counts (at most 20, most frequent first). */
  labelValues: Record<string, number>;
}

type Value = string | number | boolean | null;
interface SourceRow { line: number; get(col: string): Value | undefined }

/** Rows of a CSV or JSONL file, with the columns it offers. */
function readRows(file: string, text: string): { format: 'csv' | 'jsonl'; columns: string[]; rows: SourceRow[] } {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') {
    const t = parseCsv(text, file);
    const at = new Map(t.header.map((h, k) => [h, k]));
    return {
      format: 'csv', columns: t.header,
      rows: t.rows.map((r) => ({ line: r.line, get: (c: string) => { const k = at.get(c); return k === undefined ? undefined : r.fields[k]; } })),
    };
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const rows: SourceRow[] = [];
    const columns = new Set<string>();
    const lines = text.split('\n');
    lines.forEach((raw, k) => {
      const s = raw.trim();
      if (s === '') return;
      let o: unknown;
      try { o = JSON.parse(s); } catch (e) {
        throw new VigilError(`${file} line ${k + 1}: not valid JSON (${(e as Error).message})`, { field: 'jsonl', row: k + 1 });
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new VigilError(`${file} line ${k + 1}: expected a JSON object per line`, { field: 'jsonl', row: k + 1 });
      const obj = o as Record<string, unknown>;
      for (const key of Object.keys(obj)) columns.add(key);
      rows.push({
        line: k + 1,
        get: (c: string) => {
          if (!(c in obj)) return undefined;
          const v = obj[c];
          if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
          throw new VigilError(`${file} line ${k + 1}, column '${c}': expected a string, number, boolean or null, got ${Array.isArray(v) ? 'an array' : 'an object'}`, { field: c, row: k + 1 });
        },
      });
    });
    return { format: 'jsonl', columns: [...columns], rows };
  }
  throw new VigilError(`${file}: unknown file type '${ext || '(none)'}'; expected .csv or .jsonl`, { field: 'file' });
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A time value → epoch ms, or null when it cannot be read. ISO 8601 dates and date-times (a space
 * instead of 'T' allowed; no zone = UTC), or a number: epoch seconds below 1e11, milliseconds above.
 */
export function parseTime(v: Value): number | null {
  if (v === null || typeof v === 'boolean') return null;
  const s = typeof v === 'number' ? '' : v.trim();
  const num = typeof v === 'number' ? v : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (Number.isFinite(num)) return Math.abs(num) < 1e11 ? num * 1000 : num;
  const m = ISO.exec(s);
  if (!m) return null;
  const zone = m[3] ? (m[3].toUpperCase() === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3]) : 'Z';
  const ms = Date.parse(m[2] ? `${m[1]}T${m[2].length === 5 ? m[2] + ':00' : m[2]}${zone}` : `${m[1]}T00:00:00${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

const show = (v: Value | undefined) => (v === undefined ? '(missing)' : v === null ? 'null' : typeof v === 'string' ? `'${v}'` : String(v));

/** Parse a labelled table into a text-only VideoTable; errors name the line and column. */
export function importLabelledTable(file: string, opts: ImportOptions, bytes?: Buffer): { table: VideoTable; record: Omit<ImportRecord, 'sourceSha256'>; } {
  if (!bytes && !existsSync(file)) throw new VigilError(`'${file}' does not exist`, { field: 'file' });
  const { format, columns, rows } = readRows(file, (bytes ?? readFileSync(file)).toString('utf8'));
  if (rows.length === 0) throw new VigilError(`${file}: no data rows`, { field: 'file' });
  const available = columns.map((c) => `'${c}'`).join(', ');
  for (const [flag, col] of [['text', opts.text], ['label', opts.label], ['id', opts.id], ['time', opts.time], ['group', opts.group]] as const) {
    if (col !== undefined && !columns.includes(col)) {
      throw new VigilError(`--${flag}: ${file} has no column '${col}'; its columns are ${available}`, { field: col });
    }
  }
  const where = (r: SourceRow, col: string) => `${file} line ${r.line}, column '${col}'`;
  const n = rows.length;
  const positives = opts.positive && opts.positive.length > 0 ? new Set(opts.positive.map((p) => p.trim())) : null;
  const labelCounts = new Map<string, number>();
  const harmful = new Int8Array(n);
  const videoId: string[] = new Array(n);
  const creatorId: string[] = new Array(n);
  const transcript: (string | null)[] = new Array(n);
  const uploadTs = new Float64Array(n).fill(NaN);
  const uploadHour = new Int8Array(n).fill(-1);
  const firstLine = new Map<string, number>();
  let emptyText = 0, emptyGroup = 0;
  rows.forEach((r, i) => {
    // Label.
    const lv = r.get(opts.label);
    const key = lv === undefined || lv === null ? '' : String(lv).trim();
    labelCounts.set(key, (labelCounts.get(key) ?? 0) + 1);
    if (key === '') throw new VigilError(`${where(r, opts.label)}: the label is empty`, { field: opts.label, row: r.line });
    if (positives) harmful[i] = positives.has(key) ? 1 : 0;
    else {
      const k = key.toLowerCase();
      if (lv === true || k === 'true' || (k !== '' && Number(k) === 1)) harmful[i] = 1;
      else if (lv === false || k === 'false' || (k !== '' && Number(k) === 0)) harmful[i] = 0;
      else {
        throw new VigilError(`${where(r, opts.label)}: label ${show(lv)} is not 0/1 or true/false; for a categorical label name the ` +
          `positive values with --positive (e.g. --positive ${key})`, { field: opts.label, row: r.line });
      }
    }
    // Id.
    if (opts.id !== undefined) {
      const v = r.get(opts.id);
      const id = v === undefined || v === null ? '' : String(v).trim();
      if (id === '') throw new VigilError(`${where(r, opts.id)}: the id is empty`, { field: opts.id, row: r.line });
      const prev = firstLine.get(id);
      if (prev !== undefined) throw new VigilError(`${where(r, opts.id)}: duplicate id '${id}' (first on line ${prev})`, { field: opts.id, row: r.line });
      firstLine.set(id, r.line);
      videoId[i] = id;
    } else videoId[i] = `row-${i + 1}`;
    // Text.
    const tv = r.get(opts.text);
    const text = tv === undefined || tv === null ? '' : String(tv);
    if (text.trim() === '') { transcript[i] = null; emptyText++; } else transcript[i] = text;
    // Time.
    if (opts.time !== undefined) {
      const v = r.get(opts.time);
      const ms = v === undefined ? null : parseTime(v);
      if (ms === null) {
        throw new VigilError(`${where(r, opts.time)}: cannot read time ${show(v)}; expected an ISO 8601 date or date-time ` +
          `(e.g. 2024-03-01 or 2024-03-01T14:05:00Z) or epoch seconds/milliseconds`, { field: opts.time, row: r.line });
      }
      uploadTs[i] = ms;
      // The hour a server would derive from upload_ts, so training and serving agree.
      uploadHour[i] = new Date(ms).getUTCHours();
    }
    // Group.
    if (opts.group !== undefined) {
      const v = r.get(opts.group);
      const g = v === undefined || v === null ? '' : String(v).trim();
      if (g === '') { emptyGroup++; creatorId[i] = videoId[i]; } else creatorId[i] = g;
    } else creatorId[i] = videoId[i];
  });
  if (positives) {
    const missing = [...positives].filter((p) => !labelCounts.has(p));
    if (missing.length > 0) {
      const seen = [...labelCounts.keys()].slice(0, 20).map((v) => `'${v}'`).join(', ');
      throw new VigilError(`--positive: column '${opts.label}' never has the value${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; ` +
        `values present: ${seen}`, { field: opts.label });
    }
  }
  const zeros = () => new Int32Array(n + 1);
  const absentColumns = [
    ...(opts.group === undefined ? ['creator_id'] : []),
    ...(opts.time === undefined ? ['upload_ts', 'upload_hour'] : []),
    'duration_s', 'country', 'device', 'account_age_days', 'prior_strikes',
    'frame_ts', 'frame_emb', 'audio_emb', 'audio_ts', 'asr_confidence', 'language', 'policy_tags', 'weight',
  ];
  const table: VideoTable = {
    n, videoId, creatorId, uploadTs,
    durationS: new Float32Array(n).fill(NaN), country: new Array<string>(n).fill('unknown'), device: new Array<string>(n).fill('unknown'),
    accountAgeDays: new Float32Array(n).fill(NaN), priorStrikes: new Float32Array(n).fill(NaN), uploadHour,
    frameDim: 0, frameOffsets: zeros(), frameTs: new Float32Array(0), frameEmb: new Float32Array(0),
    audioDim: 0, hasAudio: new Uint8Array(n), audioOffsets: zeros(), audioTs: new Float32Array(0), audioEmb: new Float32Array(0),
    transcript, asrConfidence: new Float32Array(n).fill(NaN), language: new Array<string | null>(n).fill(null),
    harmful, policyTags: Array.from({ length: n }, () => [] as string[]), weight: new Float32Array(n).fill(1),
    absentColumns,
  };
  let pos = 0;
  for (let i = 0; i < n; i++) pos += harmful[i];
  const labelValues = Object.fromEntries([...labelCounts].sort((a, b) => b[1] - a[1]).slice(0, 20));
  return {
    table,
    record: {
      kind: 'vigil-import', source: resolve(file), format,
      columns: { text: opts.text, label: opts.label, id: opts.id ?? null, time: opts.time ?? null, group: opts.group ?? null },
      positiveValues: positives ? [...positives] : null, rows: n, positives: pos, time: opts.time !== undefined,
      emptyText, emptyGroup, labelValues,
    },
  };
}

/** Dataset folder contents that an import may replace. */
const DATASET_FILES = new Set(['videos.parquet', 'import.json', 'profile.json', 'truth.parquet', '.vigil-cache']);

/**
 * Import `file` into the dataset folder `out` (videos.parquet + import.json). The folder appears
 * atomically; an existing dataset folder is replaced, any other non-empty folder is refused.
 */
export async function importToDataset(file: string, out: string, opts: ImportOptions): Promise<ImportRecord> {
  if (!existsSync(file)) throw new VigilError(`'${file}' does not exist`, { field: 'file' });
  // Read once: the same bytes are parsed and hashed.
  const bytes = readFileSync(file);
  const { table, record } = importLabelledTable(file, opts, bytes);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new VigilError(`--out '${out}' is a file, expected a dataset folder`, { field: 'out' });
    const other = readdirSync(out).filter((f) => !DATASET_FILES.has(f));
    if (other.length > 0) {
      throw new VigilError(`--out '${out}' already holds files that are not part of a dataset (${other.slice(0, 5).join(', ')}); choose an empty or new folder`, { field: 'out' });
    }
  }
  const full: ImportRecord = { ...record, sourceSha256: sha256(bytes) };
  await writeDirAtomic(out, async (dir) => {
    await writeVideoTable(join(dir, 'videos.parquet'), table);
    writeJsonAtomic(join(dir, 'import.json'), full);
  });
  return full;
}
