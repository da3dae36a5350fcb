import { endianness } from 'node:os';
import type { VideoScalars, VideoTable } from '../data/table.js';
import { checkInputRanges, type InputRanges } from './inputRanges.js';

/**
 * Validation of scoring requests at the trust boundary: one JSON video in the dataset's field names
 * (docs/CONTRACTS.md) → a typed row, or an error naming the field. Nothing here throws on bad input.
 *
 * Embedding fields (`frame_emb`, `audio_emb`) take any of:
 *  - an array of arrays of numbers (one inner array per frame/segment),
 *  - an array of base64 strings, one per frame/segment, each `dim` little-endian float32 values,
 *  - one base64 string holding all frames/segments back to back (count × dim little-endian float32).
 * Base64 is ~4× smaller than JSON numbers and skips number parsing (see docs/serving.md).
 */

export type RequestResult<T> = { ok: true; value: T } | { ok: false; error: RequestError };

export interface RequestError {
  /** HTTP status the server answers with. */
  status: 400 | 413 | 422;
  /** Dotted path of the offending field (`frame_emb[3]`, `body`, ...). */
  field: string;
  message: string;
}

export interface RequestLimits {
  /** 0: the model has no visual tower — `frame_emb`/`frame_ts` are optional and ignored. */
  frameDim: number;
  /** 0: the model has no audio tower — `audio_emb`/`audio_ts` are ignored. */
  audioDim: number;
  /** false: the model has no text tower — `transcript` is ignored (default true). */
  text?: boolean;
  /** Most frames / audio segments accepted per video (the schema's 600). */
  maxItems: number;
  /** Accepted numeric ranges (from the training data); absent = type checks only. */
  ranges?: InputRanges;
}

/** One validated video (the request's fields, typed; embeddings flat row-major). */
export interface ParsedVideo extends VideoScalars {
  frameTs: Float32Array;
  frameEmb: Float32Array;
  hasAudio: boolean;
  audioTs: Float32Array;
  audioEmb: Float32Array;
}

/** Fields a request may carry. Label columns are accepted (dataset dumps contain them) and ignored. */
export const REQUEST_FIELDS = [
  'video_id', 'creator_id', 'upload_ts', 'duration_s', 'country', 'device', 'account_age_days', 'prior_strikes',
  'upload_hour', 'frame_ts', 'frame_emb', 'audio_emb', 'audio_ts', 'transcript', 'asr_confidence', 'language',
  'harmful', 'policy_tags', 'weight',
] as const;
const KNOWN = new Set<string>(REQUEST_FIELDS);
/** Names a client might use for a modality the model does not have; named in the error. */
const MAX_ID = 256;

class Invalid extends Error {
  constructor(readonly field: string, message: string, readonly status: 400 | 413 | 422 = 400) { super(message); }
}
const bad = (field: string, msg: string, status: 400 | 413 | 422 = 400): never => { throw new Invalid(field, msg, status); };

/** Parse a request body (a JSON text) — malformed JSON names `body`. */
export function parseJson(text: string): RequestResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: { status: 400, field: 'body', message: `body is not valid JSON: ${(e as Error).message}` } };
  }
}

/** Validate one video object. `path` prefixes field names in errors (e.g. `[3].` inside a batch). */
export function parseVideo(raw: unknown, limits: RequestLimits, path = ''): RequestResult<ParsedVideo> {
  try {
    return { ok: true, value: parseVideoOrThrow(raw, limits, path) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: { status: e.status, field: e.field, message: clip(e.message) } };
    // Anything else is a bug, but the boundary still answers with a 4xx naming the body.
    return { ok: false, error: { status: 400, field: path || 'body', message: `request could not be read: ${(e as Error).message}` } };
  }
}

/** Error messages echo field names and values: bounded, so a 1 MB key is not sent back (or logged) whole. */
const MAX_MESSAGE = 600;
export function clip(s: string): string {
  return s.length <= MAX_MESSAGE ? s : `${s.slice(0, MAX_MESSAGE)}… (${s.length - MAX_MESSAGE} more characters)`;
}

function parseVideoOrThrow(raw: unknown, limits: RequestLimits, path: string): ParsedVideo {
  const video = parseFields(raw, limits, path);
  // Well-formed but far outside the training data: refused rather than scored (inputRanges.ts).
  const outOfRange = limits.ranges ? checkInputRanges(video, limits.ranges, path) : null;
  if (outOfRange) bad(outOfRange.field, outOfRange.message, outOfRange.status);
  return video;
}

function parseFields(raw: unknown, limits: RequestLimits, path: string): ParsedVideo {
  const f = (name: string) => `${path}${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(path || 'body', `${path || 'body'}: expected a JSON object (one video)`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) {
      bad(clip(f(k)), `unknown field '${f(k)}'; modalities are frame_emb (visual), audio_emb (audio) and transcript (text); known fields: ${REQUEST_FIELDS.join(', ')}`);
    }
  }
  const str = (name: string, opt: { nullable?: boolean; required?: boolean; max?: number } = {}): string | null | undefined => {
    const v = o[name];
    if (v === undefined) { if (opt.required) bad(f(name), `'${f(name)}' is required`); return undefined; }
    if (v === null) { if (opt.nullable) return null; bad(f(name), `'${f(name)}' must be a string, got null`); }
    if (typeof v !== 'string') bad(f(name), `'${f(name)}' must be a string, got ${typeName(v)}`);
    const s = v as string;
    if (opt.max !== undefined && s.length > opt.max) bad(f(name), `'${f(name)}' is longer than ${opt.max} characters`);
    return s;
  };
  const num = (name: string, opt: { nullable?: boolean; min?: number; max?: number; integer?: boolean } = {}): number | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (v === null) { if (opt.nullable) return NaN; bad(f(name), `'${f(name)}' must be a number, got null`); }
    if (typeof v !== 'number') bad(f(name), `'${f(name)}' must be a number, got ${typeName(v)}`);
    const n = v as number;
    if (!Number.isFinite(n)) bad(f(name), `'${f(name)}' must be finite`);
    if (opt.integer && !Number.isInteger(n)) bad(f(name), `'${f(name)}' must be an integer, got ${n}`);
    if (opt.min !== undefined && n < opt.min) bad(f(name), `'${f(name)}' must be >= ${opt.min}, got ${n}`);
    if (opt.max !== undefined && n > opt.max) bad(f(name), `'${f(name)}' must be <= ${opt.max}, got ${n}`);
    return n;
  };

  const videoId = str('video_id', { required: true, max: MAX_ID }) as string;
  if (videoId.length === 0) bad(f('video_id'), `'${f('video_id')}' must not be empty`);
  const creatorId = (str('creator_id', { max: MAX_ID }) ?? '') as string;
  let uploadTs: number;
  const ts = o.upload_ts;
  if (ts === undefined) uploadTs = Date.now();
  // Within the Date range (±8.64e15 ms), so the default upload hour is defined.
  else if (typeof ts === 'number' && Number.isFinite(new Date(ts).getTime())) uploadTs = ts;
  else if (typeof ts === 'string' && Number.isFinite(Date.parse(ts))) uploadTs = Date.parse(ts);
  else uploadTs = bad(f('upload_ts'), `'${f('upload_ts')}' must be epoch milliseconds within ±8.64e15 or an ISO-8601 date string`);
  const durationS = num('duration_s', { nullable: true, min: 0 }) ?? NaN;
  const country = (str('country', { max: 64 }) ?? '') as string;
  const device = (str('device', { max: 64 }) ?? '') as string;
  const accountAgeDays = num('account_age_days', { nullable: true, min: 0 }) ?? NaN;
  const priorStrikes = num('prior_strikes', { nullable: true, min: 0, integer: true }) ?? NaN;
  const uploadHour = num('upload_hour', { min: 0, max: 23, integer: true }) ?? new Date(uploadTs).getUTCHours();

  // A modality the model has no tower for is accepted and ignored (docs/serving.md).
  const useVisual = limits.frameDim > 0, useAudio = limits.audioDim > 0, useText = limits.text !== false;
  // Visual: required, 1..maxItems frames.
  let frameEmb = new Float32Array(0), frameTs = new Float32Array(0);
  if (useVisual) {
    if (o.frame_emb === undefined || o.frame_emb === null) bad(f('frame_emb'), `'${f('frame_emb')}' is required (at least one frame embedding)`);
    frameEmb = embeddings(o.frame_emb, limits.frameDim, limits.maxItems, f('frame_emb'));
    const nFrames = frameEmb.length / limits.frameDim;
    if (nFrames < 1) bad(f('frame_emb'), `'${f('frame_emb')}' must hold at least one frame`);
    frameTs = timestamps(o.frame_ts, nFrames, f('frame_ts'), f('frame_emb'));
  }

  // Audio: optional; null/absent = no audio track.
  let hasAudio = false, audioEmb = new Float32Array(0), audioTs = new Float32Array(0);
  if (useAudio && o.audio_emb !== undefined && o.audio_emb !== null) {
    audioEmb = embeddings(o.audio_emb, limits.audioDim, limits.maxItems, f('audio_emb'));
    const nSeg = audioEmb.length / limits.audioDim;
    hasAudio = nSeg > 0;
    audioTs = timestamps(o.audio_ts, nSeg, f('audio_ts'), f('audio_emb'));
  } else if (useAudio && o.audio_ts !== undefined && o.audio_ts !== null) {
    bad(f('audio_ts'), `'${f('audio_ts')}' given without '${f('audio_emb')}'`);
  }

  const sentTranscript = str('transcript', { nullable: true, max: 100_000 }) ?? null;
  const transcript = useText ? sentTranscript : null;
  const asrConfidence = num('asr_confidence', { nullable: true, min: 0, max: 1 }) ?? NaN;
  const language = str('language', { nullable: true, max: 32 }) ?? null;
  // Label columns: type-checked so garbage is still refused, then ignored.
  if (o.harmful !== undefined && o.harmful !== null) num('harmful', { integer: true, min: 0, max: 1 });
  if (o.weight !== undefined && o.weight !== null) num('weight', { min: 0 });
  if (o.policy_tags !== undefined && o.policy_tags !== null && !(Array.isArray(o.policy_tags) && o.policy_tags.every((t) => typeof t === 'string'))) {
    bad(f('policy_tags'), `'${f('policy_tags')}' must be an array of strings`);
  }

  return {
    videoId, creatorId, uploadTs, durationS, country, device, accountAgeDays, priorStrikes, uploadHour,
    frameTs, frameEmb, hasAudio, audioTs, audioEmb, transcript, asrConfidence, language,
  };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Decode base64 little-endian float32s; the field names the error when the size or values are wrong. */
function decodeBase64(s: string, field: string): Float32Array {
  // Node's decoder skips characters outside the alphabet, so a clean string is one whose decoded size
  // is exactly what its length implies (cheaper than a regex over megabytes).
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const buf = Buffer.from(s, 'base64');
  if (s.length % 4 !== 0 || buf.length !== (s.length / 4) * 3 - pad) bad(field, `'${field}' is not valid base64`);
  if (buf.length % 4 !== 0) bad(field, `'${field}' decodes to ${buf.length} bytes, not a whole number of float32 values`);
  const out = new Float32Array(buf.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

function checkFinite(a: Float32Array, dim: number, field: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) bad(`${field}[${Math.floor(i / dim)}]`, `'${field}[${Math.floor(i / dim)}]' value ${i % dim} is ${a[i]} (NaN/Inf not allowed)`);
  }
}

/** Any of the three embedding encodings → flat [count × dim] float32. */
function embeddings(v: unknown, dim: number, maxItems: number, field: string): Float32Array {
  if (typeof v === 'string') {
    const flat = decodeBase64(v, field);
    if (flat.length % dim !== 0) bad(field, `'${field}' holds ${flat.length} floats, not a multiple of the model's dimension ${dim}`, 422);
    if (flat.length / dim > maxItems) bad(field, `'${field}' has ${flat.length / dim} items; at most ${maxItems} are accepted`, 422);
    checkFinite(flat, dim, field);
    return flat;
  }
  if (!Array.isArray(v)) bad(field, `'${field}' must be an array of embeddings or a base64 string, got ${typeName(v)}`);
  const arr = v as unknown[];
  if (arr.length > maxItems) bad(field, `'${field}' has ${arr.length} items; at most ${maxItems} are accepted`, 422);
  const out = new Float32Array(arr.length * dim);
  for (let i = 0; i < arr.length; i++) {
    const item = arr[i];
    const fi = `${field}[${i}]`;
    if (typeof item === 'string') {
      const row = decodeBase64(item, fi);
      if (row.length !== dim) bad(fi, `'${fi}' has ${row.length} values; the model expects ${dim}`, 422);
      for (let j = 0; j < dim; j++) if (!Number.isFinite(row[j])) bad(fi, `'${fi}' value ${j} is ${row[j]} (NaN/Inf not allowed)`);
      out.set(row, i * dim);
      continue;
    }
    if (!Array.isArray(item)) bad(fi, `'${fi}' must be an array of ${dim} numbers or a base64 string, got ${typeName(item)}`);
    const row = item as unknown[];
    if (row.length !== dim) {
      const ragged = i > 0 && Array.isArray(arr[0]) && (arr[0] as unknown[]).length !== row.length;
      bad(fi, `'${fi}' has ${row.length} values; the model expects ${dim}${ragged ? ' (ragged: items differ in length)' : ''}`, 422);
    }
    for (let j = 0; j < dim; j++) {
      const x = row[j];
      if (typeof x !== 'number') bad(fi, `'${fi}' value ${j} must be a number, got ${typeName(x)}`);
      if (!Number.isFinite(x as number)) bad(fi, `'${fi}' value ${j} is not finite`);
      const f32 = Math.fround(x as number);
      if (!Number.isFinite(f32)) bad(fi, `'${fi}' value ${j} overflows float32`);
      out[i * dim + j] = f32;
    }
  }
  return out;
}

/** Item times in seconds; absent → 0, 1, 2, ... (the 1 FPS / segment-index default). */
function timestamps(v: unknown, n: number, field: string, embField: string): Float32Array {
  const out = new Float32Array(n);
  if (v === undefined || v === null) { for (let i = 0; i < n; i++) out[i] = i; return out; }
  if (!Array.isArray(v)) bad(field, `'${field}' must be an array of numbers (seconds)`);
  const arr = v as unknown[];
  if (arr.length !== n) bad(field, `'${field}' has ${arr.length} entries but '${embField}' has ${n} items`, 422);
  for (let i = 0; i < n; i++) {
    const x = arr[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) bad(`${field}[${i}]`, `'${field}[${i}]' must be a finite number >= 0`);
    out[i] = x as number;
  }
  return out;
}

/** Stack validated videos into a VideoTable (labels 0, weight 1: serving never sees labels). */
export function videosToTable(videos: ParsedVideo[], dims: { frameDim: number; audioDim: number }): VideoTable {
  const n = videos.length;
  const frameOffsets = new Int32Array(n + 1), audioOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    frameOffsets[i + 1] = frameOffsets[i] + videos[i].frameTs.length;
    audioOffsets[i + 1] = audioOffsets[i] + videos[i].audioTs.length;
  }
  const frameTs = new Float32Array(frameOffsets[n]), frameEmb = new Float32Array(frameOffsets[n] * dims.frameDim);
  const audioTs = new Float32Array(audioOffsets[n]), audioEmb = new Float32Array(audioOffsets[n] * dims.audioDim);
  videos.forEach((v, i) => {
    frameTs.set(v.frameTs, frameOffsets[i]); frameEmb.set(v.frameEmb, frameOffsets[i] * dims.frameDim);
    audioTs.set(v.audioTs, audioOffsets[i]); audioEmb.set(v.audioEmb, audioOffsets[i] * dims.audioDim);
  });
  const col = <T>(g: (v: ParsedVideo) => T) => videos.map(g);
  return {
    n,
    videoId: col((v) => v.videoId), creatorId: col((v) => v.creatorId),
    uploadTs: Float64Array.from(col((v) => v.uploadTs)),
    durationS: Float32Array.from(col((v) => v.durationS)),
    country: col((v) => v.country), device: col((v) => v.device),
    accountAgeDays: Float32Array.from(col((v) => v.accountAgeDays)),
    priorStrikes: Float32Array.from(col((v) => v.priorStrikes)),
    uploadHour: Int8Array.from(col((v) => v.uploadHour)),
    frameDim: dims.frameDim, frameOffsets, frameTs, frameEmb,
    audioDim: dims.audioDim, hasAudio: Uint8Array.from(col((v) => (v.hasAudio ? 1 : 0))), audioOffsets, audioTs, audioEmb,
    transcript: col((v) => v.transcript), asrConfidence: Float32Array.from(col((v) => v.asrConfidence)),
    language: col((v) => v.language),
    harmful: new Int8Array(n), policyTags: col(() => []), weight: new Float32Array(n).fill(1),
  };
}

/** Row i of a VideoTable as a request video (the inverse of videosToTable), e.g. for extracted media. */
export function tableRowToVideo(t: VideoTable, i: number): ParsedVideo {
  const f0 = t.frameOffsets[i], f1 = t.frameOffsets[i + 1], a0 = t.audioOffsets[i], a1 = t.audioOffsets[i + 1];
  return {
    videoId: t.videoId[i], creatorId: t.creatorId[i], uploadTs: t.uploadTs[i], durationS: t.durationS[i],
    country: t.country[i], device: t.device[i], accountAgeDays: t.accountAgeDays[i], priorStrikes: t.priorStrikes[i],
    uploadHour: t.uploadHour[i],
    frameTs: t.frameTs.slice(f0, f1), frameEmb: t.frameEmb.slice(f0 * t.frameDim, f1 * t.frameDim),
    hasAudio: t.hasAudio[i] === 1, audioTs: t.audioTs.slice(a0, a1), audioEmb: t.audioEmb.slice(a0 * t.audioDim, a1 * t.audioDim),
    transcript: t.transcript[i], asrConfidence: t.asrConfidence[i], language: t.language[i],
  };
}
