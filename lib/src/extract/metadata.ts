/**
 * Sidecar metadata and labels, keyed by video_id, from CSV (header row) or JSON (an array of objects,
 * or an object keyed by video_id). Column names are the dataset's (docs/CONTRACTS.md):
 *   metadata: video_id, creator_id, upload_ts (ISO 8601 or epoch ms), duration_s, country, device,
 *             account_age_days, prior_strikes, upload_hour (derived from upload_ts when absent)
 *   labels:   video_id, harmful (0/1), policy_tags (JSON array, or ';'-separated in CSV), weight
 * Empty cells are missing. One file may carry both; pass it to --metadata and --labels.
 */
import { readFileSync, existsSync } from 'node:fs';
import { VigilError } from '../util/errors.js';

export interface VideoMeta {
  creatorId?: string;
  uploadTs?: number;
  durationS?: number;
  country?: string;
  device?: string;
  accountAgeDays?: number;
  priorStrikes?: number;
  uploadHour?: number;
}

export interface VideoLabel {
  harmful: 0 | 1;
  policyTags: string[];
  weight: number;
}

type Row = Record<string, unknown>;

/** RFC 4180-style CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string, source: string): Row[] {
  const records: string[][] = [];
  let field = '', rec: string[] = [], i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { rec.push(field); field = ''; i++; continue; }
    if (ch === '\n' || ch === '\r') {
      rec.push(field); field = '';
      if (rec.some((f) => f !== '')) records.push(rec);
      rec = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (quoted) throw new VigilError(`${source}: unterminated quoted field`, { field: source });
  rec.push(field);
  if (rec.some((f) => f !== '')) records.push(rec);
  if (records.length === 0) return [];
  const header = records[0].map((h) => h.trim());
  return records.slice(1).map((r, k) => {
    if (r.length !== header.length) throw new VigilError(`${source} line ${k + 2}: ${r.length} fields, header has ${header.length}`, { field: source, row: k });
    const o: Row = {};
    header.forEach((h, j) => { o[h] = r[j] === '' ? undefined : r[j]; });
    return o;
  });
}

/** Rows of a CSV or JSON sidecar, keyed by video_id. */
export function readSidecar(path: string): Map<string, Row> {
  if (!existsSync(path)) throw new VigilError(`${path}: file does not exist`, { field: path });
  const text = readFileSync(path, 'utf8');
  let rows: Row[];
  if (/\.json$/i.test(path)) {
    let raw: unknown;
    try { raw = JSON.parse(text); } catch (e) { throw new VigilError(`${path}: not valid JSON (${(e as Error).message})`, { field: path }); }
    if (Array.isArray(raw)) rows = raw as Row[];
    else if (raw && typeof raw === 'object') rows = Object.entries(raw as Record<string, Row>).map(([id, r]) => ({ video_id: id, ...r }));
    else throw new VigilError(`${path}: expected an array of rows or an object keyed by video_id`, { field: path });
  } else rows = parseCsv(text, path);
  const out = new Map<string, Row>();
  rows.forEach((r, k) => {
    const id = r?.video_id;
    if (typeof id !== 'string' || id === '') throw new VigilError(`${path} row ${k}: 'video_id' is missing`, { field: 'video_id', row: k });
    if (out.has(id)) throw new VigilError(`${path} row ${k}: duplicate video_id '${id}'`, { field: 'video_id', row: k });
    out.set(id, r);
  });
  return out;
}

function optNum(r: Row, key: string, where: string, integer = false): number | undefined {
  const v = r[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new VigilError(`${where}: '${key}' expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`, { field: key });
  return n;
}

function optStr(r: Row, key: string): string | undefined {
  const v = r[key];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

/** ISO 8601 text or epoch milliseconds → epoch ms. */
export function parseTimestamp(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const s = String(v).trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new VigilError(`${where}: 'upload_ts' expected ISO 8601 or epoch ms, got ${JSON.stringify(v)}`, { field: 'upload_ts' });
  return ms;
}

export function metaFromRow(r: Row, where: string): VideoMeta {
  const m: VideoMeta = {
    creatorId: optStr(r, 'creator_id'), country: optStr(r, 'country'), device: optStr(r, 'device'),
    durationS: optNum(r, 'duration_s', where), accountAgeDays: optNum(r, 'account_age_days', where),
    priorStrikes: optNum(r, 'prior_strikes', where, true), uploadHour: optNum(r, 'upload_hour', where, true),
  };
  if (r.upload_ts !== undefined && r.upload_ts !== null && r.upload_ts !== '') m.uploadTs = parseTimestamp(r.upload_ts, where);
  if (m.uploadHour !== undefined && (m.uploadHour < 0 || m.uploadHour > 23)) throw new VigilError(`${where}: 'upload_hour' must be 0–23, got ${m.uploadHour}`, { field: 'upload_hour' });
  return m;
}

export function labelFromRow(r: Row, where: string): VideoLabel {
  const h = optNum(r, 'harmful', where, true);
  if (h !== 0 && h !== 1) throw new VigilError(`${where}: 'harmful' must be 0 or 1, got ${JSON.stringify(r.harmful)}`, { field: 'harmful' });
  const t = r.policy_tags;
  let policyTags: string[] = [];
  if (Array.isArray(t)) policyTags = t.map(String);
  else if (typeof t === 'string' && t.trim() !== '') policyTags = t.split(';').map((s) => s.trim()).filter(Boolean);
  const weight = optNum(r, 'weight', where) ?? 1;
  if (!(weight > 0)) throw new VigilError(`${where}: 'weight' must be > 0, got ${weight}`, { field: 'weight' });
  return { harmful: h, policyTags, weight };
}
