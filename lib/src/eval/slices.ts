import type { GroupIds } from '../stats/validate.js';
import type { VideoTable } from '../data/table.js';
import { frameCount } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { evaluateWithDraws, type EvaluateOptions, type MetricBlock } from './evaluate.js';

/** A named subset of the evaluated rows, as positions into the evaluated arrays (not table rows). */
export interface SliceDef { name: string; description: string; positions: Int32Array }

export interface SliceOptions {
  coldStartDays: number;
  longVideoFrames: number;
  /** Countries counted as spike regions (see `spikeCountries`, computed on TRAIN rows). */
  spikeCountries: string[];
  /** Extra boolean slices aligned with `rows` (e.g. creators unseen in train). */
  extra?: Record<string, ArrayLike<boolean | number>>;
}

const isMissing = (x: number) => Number.isNaN(x);

/**
 * Countries whose weighted prevalence over `trainRows` is at least `factor`× the overall prevalence.
 * Computed on train only so the slice definition does not peek at the test labels.
 */
export function spikeCountries(table: VideoTable, trainRows: ArrayLike<number>, factor = 3, minRows = 1): string[] {
  let W = 0, P = 0;
  const by = new Map<string, { w: number; p: number; n: number }>();
  for (let k = 0; k < trainRows.length; k++) {
    const i = trainRows[k];
    const w = table.weight[i], y = table.harmful[i];
    W += w; P += w * y;
    const c = by.get(table.country[i]) ?? { w: 0, p: 0, n: 0 };
    c.w += w; c.p += w * y; c.n++;
    by.set(table.country[i], c);
  }
  if (!(W > 0) || !(P > 0)) return [];
  const overall = P / W;
  return [...by.entries()]
    .filter(([, c]) => c.n >= minRows && c.w > 0 && c.p / c.w >= factor * overall)
    .map(([k]) => k)
    .sort();
}

/**
 * The standard slices for rows `rows` of `table`: cold start (young account or missing account
 * metadata), missing metadata, spike regions, non-English transcript, no audio, no transcript,
 * long videos, one per policy tag, plus `extra`.
 *
 * A harm-category slice `category:<tag>` holds every negative plus the positives tagged `<tag>`:
 * recall and AP per category are then measured against the same pool of negatives as overall.
 */
export function defineSlices(table: VideoTable, rows: ArrayLike<number>, opts: SliceOptions): SliceDef[] {
  const spikes = new Set(opts.spikeCountries);
  const preds: { name: string; description: string; test: (i: number) => boolean }[] = [
    {
      name: 'cold_start', description: `account age < ${opts.coldStartDays} days or missing account metadata`,
      test: (i) => isMissing(table.accountAgeDays[i]) || table.accountAgeDays[i] < opts.coldStartDays,
    },
    {
      name: 'missing_metadata', description: 'account age or prior strikes missing',
      test: (i) => isMissing(table.accountAgeDays[i]) || isMissing(table.priorStrikes[i]),
    },
    {
      name: 'spike_regions', description: `countries with train prevalence ≥ spike factor × overall (${[...spikes].join(', ') || 'none'})`,
      test: (i) => spikes.has(table.country[i]),
    },
    {
      name: 'non_english_transcript', description: 'transcript present in a language other than English',
      test: (i) => hasTranscript(table, i) && table.language[i] !== null && !/^en\b/i.test(table.language[i] ?? ''),
    },
    { name: 'no_audio', description: 'no audio track', test: (i) => table.hasAudio[i] === 0 },
    { name: 'no_transcript', description: 'no (or empty) transcript', test: (i) => !hasTranscript(table, i) },
    {
      name: 'long_video', description: `more than ${opts.longVideoFrames} frames`,
      test: (i) => frameCount(table, i) > opts.longVideoFrames,
    },
  ];
  const tags = new Set<string>();
  for (let k = 0; k < rows.length; k++) for (const t of table.policyTags[rows[k]]) tags.add(t);
  for (const tag of [...tags].sort()) {
    preds.push({
      name: `category:${tag}`, description: `all negatives plus the positives tagged '${tag}'`,
      test: (i) => table.harmful[i] === 0 || table.policyTags[i].includes(tag),
    });
  }
  const out: SliceDef[] = preds.map((p) => {
    const pos: number[] = [];
    for (let k = 0; k < rows.length; k++) if (p.test(rows[k])) pos.push(k);
    return { name: p.name, description: p.description, positions: Int32Array.from(pos) };
  });
  for (const [name, mask] of Object.entries(opts.extra ?? {})) {
    if (mask.length !== rows.length) {
      throw new VigilError(`slice '${name}': mask length ${mask.length} differs from rows length ${rows.length}`, { field: `extra.${name}` });
    }
    const pos: number[] = [];
    for (let k = 0; k < rows.length; k++) if (mask[k]) pos.push(k);
    out.push({ name, description: 'caller-defined slice', positions: Int32Array.from(pos) });
  }
  return out;
}

function hasTranscript(t: VideoTable, i: number): boolean {
  const s = t.transcript[i];
  return s !== null && s.trim().length > 0;
}

export interface SliceSupport { rows: number; positives: number; negatives: number; weighted_positives: number }

/** A slice's metric block, its support, and whether it is big enough to judge. */
export type SliceBlock = MetricBlock & { support: SliceSupport; too_small: boolean; empty: boolean; description: string };

/**
 * Evaluates each slice on its subset of the evaluated arrays. Slices with fewer than
 * `minSlicePositives` positives are flagged `too_small`; an empty slice is flagged `empty` and all its
 * values are null, never NaN.
 * Also returns each slice's per-resample metric values (`evaluateWithDraws`).
 */
export function evaluateSlices(
  slices: SliceDef[],
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
  groups: GroupIds | null,
  opts: EvaluateOptions & { minSlicePositives?: number } = {},
): { blocks: Record<string, SliceBlock>; draws: Record<string, Record<string, Float64Array>> } {
  const minPos = opts.minSlicePositives ?? 20;
  const out: Record<string, SliceBlock> = {};
  const draws: Record<string, Record<string, Float64Array>> = {};
  for (const s of slices) {
    const m = s.positions.length;
    const sc = new Float64Array(m), lb = new Int8Array(m), wt = new Float64Array(m);
    const gr: (number | string)[] | null = groups ? new Array(m) : null;
    let positives = 0, wp = 0;
    for (let k = 0; k < m; k++) {
      const i = s.positions[k];
      if (i < 0 || i >= scores.length) throw new VigilError(`slice '${s.name}': position ${i} is outside the ${scores.length} evaluated rows`, { field: s.name });
      sc[k] = scores[i]; lb[k] = labels[i]; wt[k] = weights[i];
      if (gr && groups) gr[k] = groups[i];
      if (labels[i] === 1) { positives++; wp += weights[i]; }
    }
    const { block, draws: d } = evaluateWithDraws(sc, lb, wt, gr as GroupIds | null, opts);
    draws[s.name] = d;
    out[s.name] = {
      ...block,
      description: s.description,
      support: { rows: m, positives, negatives: m - positives, weighted_positives: wp },
      too_small: positives < minPos,
      empty: m === 0,
    };
  }
  return { blocks: out, draws };
}
