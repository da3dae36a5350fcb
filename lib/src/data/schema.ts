/**
 * The feature-store schema (docs/CONTRACTS.md) as data: which columns exist, what kind of Arrow type each
 * accepts, and whether it may be null. Checked against a file's schema before any row is read, so a
 * wrong file fails with the column named instead of deep inside training.
 */
import { DataType, Type, type Schema } from 'apache-arrow';
import { VigilError } from '../util/errors.js';

export type ColumnKind =
  | 'string' // utf8 / large utf8 / utf8 view
  | 'timestamp' // any timestamp unit or date
  | 'number' // any integer or float type
  | 'float_list' // list<number>
  | 'embedding_list' // list<fixed_size_list<number, D>> or list<list<number>> (Spark writes the latter)
  | 'string_list'; // list<utf8>

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
  /** Absent columns are allowed and get a default. */
  optional?: boolean;
  doc: string;
}

export const VIDEO_COLUMNS: ColumnSpec[] = [
  { name: 'video_id', kind: 'string', nullable: false, doc: 'unique id of the upload' },
  { name: 'creator_id', kind: 'string', nullable: false, optional: true, doc: 'uploading account (absent: each video is its own creator)' },
  { name: 'upload_ts', kind: 'timestamp', nullable: true, optional: true, doc: 'upload time (UTC); absent: the split is a stratified group split, not a recent-time holdout' },
  { name: 'duration_s', kind: 'number', nullable: true, optional: true, doc: 'video length in seconds (null/absent: unknown)' },
  { name: 'country', kind: 'string', nullable: true, optional: true, doc: "upload country code (null/absent: 'unknown')" },
  { name: 'device', kind: 'string', nullable: true, optional: true, doc: "device family (null/absent: 'unknown')" },
  { name: 'account_age_days', kind: 'number', nullable: true, optional: true, doc: 'account age at upload (null: unknown, e.g. new user)' },
  { name: 'prior_strikes', kind: 'number', nullable: true, optional: true, doc: 'policy strikes from removals before this upload' },
  { name: 'upload_hour', kind: 'number', nullable: true, optional: true, doc: 'hour of day 0–23 (null/absent: unknown)' },
  { name: 'frame_ts', kind: 'float_list', nullable: false, optional: true, doc: 'frame times in seconds (1 FPS); absent together with frame_emb' },
  { name: 'frame_emb', kind: 'embedding_list', nullable: false, optional: true, doc: 'per-frame embeddings, Dv each; when present every video has >= 1 frame' },
  { name: 'audio_emb', kind: 'embedding_list', nullable: true, optional: true, doc: 'per-segment audio embeddings, Da each (null: no audio)' },
  { name: 'audio_ts', kind: 'float_list', nullable: true, optional: true, doc: 'VAD segment start times (null: no audio); absent together with audio_emb' },
  { name: 'transcript', kind: 'string', nullable: true, optional: true, doc: 'ASR text' },
  { name: 'asr_confidence', kind: 'number', nullable: true, optional: true, doc: 'mean ASR confidence 0–1' },
  { name: 'language', kind: 'string', nullable: true, optional: true, doc: 'transcript language code' },
  { name: 'harmful', kind: 'number', nullable: false, doc: '1 if policy requires BLOCK, else 0' },
  { name: 'policy_tags', kind: 'string_list', nullable: true, optional: true, doc: 'policy tags of the moderator decision' },
  { name: 'weight', kind: 'number', nullable: false, optional: true, doc: 'sampling weight (1 when not sampled)' },
];

/** Columns that travel as pairs: a file has both or neither. */
export const PAIRED_COLUMNS: [string, string][] = [['frame_emb', 'frame_ts'], ['audio_emb', 'audio_ts']];

export const TRUTH_COLUMNS: ColumnSpec[] = [
  { name: 'video_id', kind: 'string', nullable: false, doc: 'id of the upload' },
  { name: 'true_harmful', kind: 'number', nullable: false, doc: 'label before rater noise' },
  { name: 'category', kind: 'string', nullable: false, doc: 'harm category (or "none")' },
  { name: 'oracle_p', kind: 'number', nullable: false, doc: 'best achievable P(observed label = 1)' },
  { name: 'reupload_of', kind: 'string', nullable: true, doc: 'video this one re-uploads' },
];

const isString = (t: DataType) => t.typeId === Type.Utf8 || t.typeId === Type.LargeUtf8 || t.typeId === Type.Utf8View;
const isNumber = (t: DataType) => DataType.isInt(t) || DataType.isFloat(t);
const isList = (t: DataType) => t.typeId === Type.List || t.typeId === Type.LargeList || t.typeId === Type.FixedSizeList;
// Primitive types carry no children at run time (null), list types one: the element field.
const childType = (t: DataType): DataType | undefined => t.children?.[0]?.type;

export function kindMatches(kind: ColumnKind, t: DataType): boolean {
  switch (kind) {
    case 'string': return isString(t);
    case 'timestamp': return DataType.isTimestamp(t) || DataType.isDate(t);
    case 'number': return isNumber(t);
    case 'float_list': { const c = childType(t); return isList(t) && !!c && isNumber(c); }
    case 'embedding_list': {
      const c = childType(t);
      const cc = c ? childType(c) : undefined;
      return isList(t) && !!c && isList(c) && !!cc && isNumber(cc);
    }
    case 'string_list': { const c = childType(t); return isList(t) && !!c && isString(c); }
  }
}

const KIND_TEXT: Record<ColumnKind, string> = {
  string: 'utf8',
  timestamp: 'timestamp',
  number: 'an integer or float type',
  float_list: 'list<float>',
  embedding_list: 'list<fixed_size_list<float32, D>>',
  string_list: 'list<utf8>',
};

/** Check a file's Arrow schema against the spec; throws naming the first bad column. */
export function checkSchema(schema: Schema, columns: ColumnSpec[], source: string, skip: string[] = []): void {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  for (const c of columns) {
    if (skip.includes(c.name)) continue;
    const f = byName.get(c.name);
    if (!f) {
      if (c.optional) continue;
      throw new VigilError(`${source}: missing column '${c.name}' (${KIND_TEXT[c.kind]}: ${c.doc})`, { field: c.name });
    }
    if (!kindMatches(c.kind, f.type)) {
      throw new VigilError(`${source}: column '${c.name}' has type ${String(f.type)}, expected ${KIND_TEXT[c.kind]}`, { field: c.name });
    }
  }
  for (const [a, b] of PAIRED_COLUMNS) {
    if (!columns.some((c) => c.name === a)) continue;
    if (byName.has(a) !== byName.has(b)) {
      const [have, lack] = byName.has(a) ? [a, b] : [b, a];
      throw new VigilError(`${source}: missing column '${lack}' ('${have}' is present; the two come as a pair: both or neither)`, { field: lack });
    }
  }
}

/** The optional video columns a file's schema lacks (their values take the "absent" representation). */
export function absentVideoColumns(schema: Schema): string[] {
  const have = new Set(schema.fields.map((f) => f.name));
  return VIDEO_COLUMNS.filter((c) => c.optional && !have.has(c.name)).map((c) => c.name);
}
