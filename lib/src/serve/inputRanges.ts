import type { VideoTable } from '../data/table.js';
import type { ParsedVideo, RequestError } from './request.js';
import type { InputRangesFile } from '../artifacts/inputRanges.js';

/**
 * Accepted ranges for a request's numeric inputs, derived from the training data. A value far
 * outside what the model was fitted on does not give a meaningful score: a duration of 1e308
 * overflows float32 into Infinity and the risk comes out NaN, and a single embedding value of 1e10
 * saturates the towers and pushes a harmful video to risk 0. Such a request is refused (422, naming
 * the field and the accepted range) instead of being scored.
 *
 * The accepted interval of a quantity is its training range [min, max] widened by `RANGE_WIDEN`
 * times its width on each side (never below 0 for quantities that cannot be negative), so genuine
 * traffic that drifts beyond the training data is still scored. Where the training range comes from:
 *  1. `input_ranges.json` in the run folder (written at export from the training rows), else
 *  2. the fitted `preprocessor.json` (mean ± 4 standard deviations as the training range: per
 *     dimension for embeddings, in log1p space for the metadata numbers), else
 *  3. fixed limits (`DEFAULT_LIMITS`) for bundles that carry neither.
 */
export const INPUT_RANGES_FILE = 'input_ranges.json';
export const INPUT_RANGES_FORMAT_VERSION = 1;
/** Each side of the training range is extended by this many times its width. */
export const RANGE_WIDEN = 10;
/** Standard deviations either side of the mean taken as the training range when only mean/std are known. */
const STD_SPAN = 4;

/** Scalar request fields checked against a range (timestamps: every element of the array). */
export const RANGED_FIELDS = ['duration_s', 'account_age_days', 'prior_strikes', 'frame_ts', 'audio_ts'] as const;
export type RangedField = (typeof RANGED_FIELDS)[number];

export interface Interval { min: number; max: number }
export interface DimIntervals { min: number[]; max: number[] }

/** input_ranges.json: what the training rows held, not yet widened (schema: artifacts/inputRanges.ts). */
export type TrainingRanges = InputRangesFile;

/** The intervals a server accepts (already widened). */
export interface InputRanges {
  source: 'input_ranges.json' | 'preprocessor.json' | 'default';
  widen: number;
  scalars: Record<RangedField, Interval>;
  frameEmb: { min: Float32Array; max: Float32Array } | null;
  audioEmb: { min: Float32Array; max: Float32Array } | null;
}

/** Limits for bundles without training statistics: physical plausibility only. */
export const DEFAULT_LIMITS: Record<RangedField, Interval> & { embedding: Interval } = {
  duration_s: { min: 0, max: 7 * 86_400 },
  account_age_days: { min: 0, max: 36_500 },
  prior_strikes: { min: 0, max: 10_000 },
  frame_ts: { min: 0, max: 7 * 86_400 },
  audio_ts: { min: 0, max: 7 * 86_400 },
  embedding: { min: -1e4, max: 1e4 },
};


/** Observed min/max of every ranged quantity over the training rows (NaN = missing, skipped). */
export function fitInputRanges(table: VideoTable, trainRows: ArrayLike<number>): TrainingRanges {
  const scalar = (get: (r: number, out: (x: number) => void) => void): Interval | null => {
    let min = Infinity, max = -Infinity;
    for (let k = 0; k < trainRows.length; k++) {
      get(trainRows[k], (x) => { if (Number.isFinite(x)) { if (x < min) min = x; if (x > max) max = x; } });
    }
    return min <= max ? { min, max } : null;
  };
  const perRow = (col: ArrayLike<number>) => (r: number, out: (x: number) => void) => out(col[r]);
  const items = (offsets: Int32Array, ts: Float32Array) => (r: number, out: (x: number) => void) => {
    for (let t = offsets[r]; t < offsets[r + 1]; t++) out(ts[t]);
  };
  const dims = (offsets: Int32Array, emb: Float32Array, dim: number): DimIntervals | null => {
    if (dim < 1) return null;
    const min = new Array<number>(dim).fill(Infinity), max = new Array<number>(dim).fill(-Infinity);
    let any = false;
    for (let k = 0; k < trainRows.length; k++) {
      const r = trainRows[k];
      for (let t = offsets[r]; t < offsets[r + 1]; t++) {
        any = true;
        for (let j = 0; j < dim; j++) {
          const x = emb[t * dim + j];
          if (x < min[j]) min[j] = x;
          if (x > max[j]) max[j] = x;
        }
      }
    }
    return any ? { min, max } : null;
  };
  return {
    formatVersion: INPUT_RANGES_FORMAT_VERSION,
    rows: trainRows.length,
    scalars: {
      duration_s: scalar(perRow(table.durationS)),
      account_age_days: scalar(perRow(table.accountAgeDays)),
      prior_strikes: scalar(perRow(table.priorStrikes)),
      frame_ts: scalar(items(table.frameOffsets, table.frameTs)),
      audio_ts: scalar(items(table.audioOffsets, table.audioTs)),
    },
    frame_emb: dims(table.frameOffsets, table.frameEmb, table.frameDim),
    audio_emb: dims(table.audioOffsets, table.audioEmb, table.audioDim),
  };
}

/** [min − w·width, max + w·width]; a zero width widens by `floor` instead (a constant in training). */
function widen(iv: Interval, floor: number, nonNegative: boolean): Interval {
  const width = iv.max - iv.min > 0 ? iv.max - iv.min : floor;
  const min = iv.min - RANGE_WIDEN * width;
  return { min: nonNegative ? Math.max(0, min) : min, max: iv.max + RANGE_WIDEN * width };
}

function widenDims(d: DimIntervals): { min: Float32Array; max: Float32Array } {
  const widths = d.min.map((lo, j) => d.max[j] - lo).filter((w) => w > 0).sort((a, b) => a - b);
  // A dimension constant in training borrows the typical width of the others.
  const floor = widths.length > 0 ? widths[Math.floor(widths.length / 2)] : 1;
  const min = new Float32Array(d.min.length), max = new Float32Array(d.min.length);
  d.min.forEach((lo, j) => { const iv = widen({ min: lo, max: d.max[j] }, floor, false); min[j] = iv.min; max[j] = iv.max; });
  return { min, max };
}

/** Accepted ranges from a validated input_ranges.json. */
export function rangesFromTraining(t: TrainingRanges, dims: { frameDim: number; audioDim: number }): InputRanges {
  const scalars = {} as Record<RangedField, Interval>;
  for (const f of RANGED_FIELDS) {
    const iv = t.scalars[f];
    scalars[f] = iv ? widen(iv, 1, true) : DEFAULT_LIMITS[f];
  }
  const emb = (d: DimIntervals | null, dim: number) => (d && d.min.length === dim ? widenDims(d) : fixedEmb(dim));
  return { source: INPUT_RANGES_FILE, widen: RANGE_WIDEN, scalars, frameEmb: emb(t.frame_emb, dims.frameDim), audioEmb: emb(t.audio_emb, dims.audioDim) };
}

function fixedEmb(dim: number): { min: Float32Array; max: Float32Array } {
  return { min: new Float32Array(dim).fill(DEFAULT_LIMITS.embedding.min), max: new Float32Array(dim).fill(DEFAULT_LIMITS.embedding.max) };
}

interface PreprocessorStats {
  meta?: { numeric?: { column: string; mean: number; std: number }[] };
  frames?: { mean?: number[]; std?: number[] };
  audio?: { mean?: number[]; std?: number[] };
}

const META_COLUMNS: Record<string, RangedField> = { durationS: 'duration_s', accountAgeDays: 'account_age_days', priorStrikes: 'prior_strikes' };

/**
 * Accepted ranges from a fitted preprocessor.json (run folders exported before input_ranges.json
 * existed). Anything it does not describe (timestamps, a stand-in preprocessing) gets DEFAULT_LIMITS;
 * `source` is 'default' when nothing came from it.
 */
export function rangesFromPreprocessor(json: unknown, dims: { frameDim: number; audioDim: number }): InputRanges {
  const p = (json ?? {}) as PreprocessorStats;
  let used = false;
  const scalars: Record<RangedField, Interval> = { ...DEFAULT_LIMITS };
  for (const n of Array.isArray(p.meta?.numeric) ? p.meta!.numeric! : []) {
    const f = META_COLUMNS[n.column];
    if (!f || !Number.isFinite(n.mean) || !(n.std > 0)) continue;
    // The encoder standardises log1p(x): mean ± 4 std there is the training range in x.
    const lo = Math.expm1(Math.max(0, n.mean - STD_SPAN * n.std)), hi = Math.expm1(n.mean + STD_SPAN * n.std);
    if (!Number.isFinite(hi)) continue;
    scalars[f] = widen({ min: lo, max: hi }, 1, true);
    used = true;
  }
  const emb = (s: { mean?: number[]; std?: number[] } | undefined, dim: number) => {
    if (!s || !Array.isArray(s.mean) || !Array.isArray(s.std) || s.mean.length !== dim || s.std.length !== dim) return fixedEmb(dim);
    if (!s.mean.every(Number.isFinite) || !s.std.every((x) => x > 0 && Number.isFinite(x))) return fixedEmb(dim);
    used = true;
    return widenDims({ min: s.mean.map((m, j) => m - STD_SPAN * s.std![j]), max: s.mean.map((m, j) => m + STD_SPAN * s.std![j]) });
  };
  const frameEmb = emb(p.frames, dims.frameDim), audioEmb = emb(p.audio, dims.audioDim);
  return { source: used ? 'preprocessor.json' : 'default', widen: RANGE_WIDEN, scalars, frameEmb, audioEmb };
}

/** Fixed limits only (no statistics at all). */
export function defaultRanges(dims: { frameDim: number; audioDim: number }): InputRanges {
  return { source: 'default', widen: RANGE_WIDEN, scalars: { ...DEFAULT_LIMITS }, frameEmb: fixedEmb(dims.frameDim), audioEmb: fixedEmb(dims.audioDim) };
}


/** A number for messages: finite, short, never "Infinity"/"NaN" (those are refused before this). */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '>3.4e38' : x < 0 ? '<-3.4e38' : 'not a number';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e6 || a < 1e-4 ? x.toExponential(3) : String(Number(x.toPrecision(6)));
}

const rangeText = (iv: Interval) => `[${fmtNum(iv.min)}, ${fmtNum(iv.max)}]`;

/**
 * The first value of a validated video outside the accepted ranges, as a 422 naming the field,
 * the value and the accepted interval; null when everything is in range. `path` prefixes fields.
 */
export function checkInputRanges(v: ParsedVideo, r: InputRanges, path = ''): RequestError | null {
  const out = (field: string, what: string, x: number, iv: Interval): RequestError => ({
    status: 422, field: `${path}${field}`,
    message: `'${path}${field}' ${what}is ${fmtNum(x)}, outside the accepted range ${rangeText(iv)} (training range widened ${r.widen}× its width; source: ${r.source})`,
  });
  const scalar = (f: RangedField, x: number) => {
    const iv = r.scalars[f];
    // NaN = missing (null in the request): the preprocessing has an explicit missing indicator.
    return !Number.isNaN(x) && !(x >= iv.min && x <= iv.max) ? out(f, '', x, iv) : null;
  };
  const e = scalar('duration_s', v.durationS) ?? scalar('account_age_days', v.accountAgeDays) ?? scalar('prior_strikes', v.priorStrikes);
  if (e) return e;
  const series = (f: 'frame_ts' | 'audio_ts', ts: Float32Array) => {
    const iv = r.scalars[f];
    for (let i = 0; i < ts.length; i++) if (!(ts[i] >= iv.min && ts[i] <= iv.max)) return out(`${f}[${i}]`, '', ts[i], iv);
    return null;
  };
  const embs = (f: 'frame_emb' | 'audio_emb', a: Float32Array, lim: InputRanges['frameEmb']) => {
    if (!lim || a.length === 0) return null;
    const dim = lim.min.length;
    for (let i = 0; i < a.length; i++) {
      const j = i % dim;
      if (!(a[i] >= lim.min[j] && a[i] <= lim.max[j])) {
        return out(`${f}[${Math.floor(i / dim)}]`, `value ${j} `, a[i], { min: lim.min[j], max: lim.max[j] });
      }
    }
    return null;
  };
  return series('frame_ts', v.frameTs) ?? series('audio_ts', v.audioTs)
    ?? embs('frame_emb', v.frameEmb, r.frameEmb) ?? embs('audio_emb', v.audioEmb, r.audioEmb);
}

/** The accepted scalar ranges, for GET /v1/model and the docs. */
export function describeRanges(r: InputRanges): Record<string, unknown> {
  return { source: r.source, widen: r.widen, ...Object.fromEntries(RANGED_FIELDS.map((f) => [f, r.scalars[f]])) };
}
