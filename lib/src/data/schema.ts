/**
 * The feature-store schema (CONTRACTS.md) as data: which columns exist, what kind of Arrow type each
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
  { name: 'creator_id', kind: 'string', nullable: false, doc: 'uploading account' },
  { name: 'upload_ts', kind: 'timestamp', nullable: false, doc: 'upload time (UTC)' },
  { name: 'duration_s', kind: 'number', nullable: false, doc: 'video length in seconds' },
  { name: 'country', kind: 'string', nullable: false, doc: 'upload country code' },
  { name: 'device', kind: 'string', nullable: false, doc: 'device family' },
  { name: 'account_age_days', kind: 'number', nullable: true, doc: 'account age at upload (null: unknown, e.g. new user)' },
  { name: 'prior_strikes', kind: 'number', nullable: true, doc: 'policy strikes from removals before this upload' },
  { name: 'upload_hour', kind: 'number', nullable: false, doc: 'hour of day 0–23' },
  { name: 'frame_ts', kind: 'float_list', nullable: false, doc: 'frame times in seconds (1 FPS)' },
  { name: 'frame_emb', kind: 'embedding_list', nullable: false, doc: 'per-frame embeddings, Dv each' },
  { name: 'audio_emb', kind: 'embedding_list', nullable: true, doc: 'per-segment audio embeddings, Da each (null: no audio)' },
  { name: 'audio_ts', kind: 'float_list', nullable: true, doc: 'VAD segment start times (null: no audio)' },
  { name: 'transcript', kind: 'string', nullable: true, doc: 'ASR text' },
  { name: 'asr_confidence', kind: 'number', nullable: true, doc: 'mean ASR confidence 0–1' },
  { name: 'language', kind: 'string', nullable: true, doc: 'transcript language code' },
  { name: 'harmful', kind: 'number', nullable: false, doc: '1 if policy requires BLOCK, else 0' },
  { name: 'policy_tags', kind: 'string_list', nullable: true, doc: 'policy tags of the moderator decision' },
  { name: 'weight', kind: 'number', nullable: false, optional: true, doc: 'sampling weight (1 when not sampled)' },
];

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
const childType = (t: DataType): DataType | undefined => (t as unknown as { children?: { type: DataType }[] }).children?.[0]?.type;

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
}
