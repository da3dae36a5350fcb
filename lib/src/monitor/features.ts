/**
 * The monitored features: every input the model reads (metadata, frames, audio, transcript), the
 * harm mix of labelled uploads and optionally the model's score, each reduced to one value per video
 * so it can be binned on the reference and compared week by week (drift.ts).
 */
import { frameCount, audioCount, type VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { nearestCentroid, norm, pooled } from './embeddingSummary.js';
import type { DriftReference, EmbeddingReference, FeatureGroup } from './types.js';

/** One monitored quantity per video: a number (NaN: missing) or a category (null: missing). */
export type Extracted = { kind: 'numeric'; values: Float64Array } | { kind: 'categorical'; values: (string | null)[] };
export interface FeatureDef {
  name: string;
  group: FeatureGroup;
  /** See FeatureReference.conditional. */
  conditional?: boolean;
  extract(t: VideoTable, rows: readonly number[]): Extracted;
}

export const numeric = (rows: readonly number[], f: (i: number) => number): Extracted => {
  const v = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) v[k] = f(rows[k]);
  return { kind: 'numeric', values: v };
};
export const categorical = (rows: readonly number[], f: (i: number) => string | null): Extracted => ({ kind: 'categorical', values: rows.map(f) });
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function embeddingFeatures(which: 'visual' | 'audio', ref: EmbeddingReference | undefined): FeatureDef[] {
  const group: FeatureGroup = which;
  const prefix = which === 'visual' ? 'frame' : 'audio';
  const out: FeatureDef[] = [{
    name: `${prefix}_emb_norm`, group, conditional: which === 'audio',
    extract: (t, rows) => numeric(rows, (i) => { const p = pooled(t, i, which); return p ? norm(p) : NaN; }),
  }];
  ref?.directions.forEach((dir, d) => out.push({
    name: `${prefix}_emb_pc${d + 1}`, group, conditional: which === 'audio',
    extract: (t, rows) => {
      if ((which === 'visual' ? t.frameDim : t.audioDim) !== ref.dim) {
        throw new VigilError(`${which} embedding dimension ${which === 'visual' ? t.frameDim : t.audioDim} differs from the reference's ${ref.dim}`, { field: which === 'visual' ? 'frame_emb' : 'audio_emb' });
      }
      return numeric(rows, (i) => {
        const p = pooled(t, i, which);
        if (!p) return NaN;
        let s = 0;
        for (let j = 0; j < ref.dim; j++) s += (p[j] - ref.mean[j]) * dir[j];
        return s;
      });
    },
  }));
  const cents = ref?.centroids;
  if (cents && cents.length) {
    // Which codebook cluster each video falls in (content mix) and how far it is from all of them (novel content).
    out.push({
      name: `${prefix}_emb_cluster`, group, conditional: which === 'audio',
      extract: (t, rows) => categorical(rows, (i) => { const p = pooled(t, i, which); return p ? `k${nearestCentroid(p, cents).index}` : null; }),
    });
    out.push({
      name: `${prefix}_emb_novelty`, group, conditional: which === 'audio',
      extract: (t, rows) => numeric(rows, (i) => { const p = pooled(t, i, which); return p ? nearestCentroid(p, cents).dist : NaN; }),
    });
  }
  return out;
}

/** The monitored features, in report order. */
export function featureDefs(ref: DriftReference['embeddings'], withScore: boolean): FeatureDef[] {
  const defs: FeatureDef[] = [
    { name: 'country', group: 'metadata', extract: (t, r) => categorical(r, (i) => t.country[i]) },
    { name: 'device', group: 'metadata', extract: (t, r) => categorical(r, (i) => t.device[i]) },
    { name: 'duration_s', group: 'metadata', extract: (t, r) => numeric(r, (i) => t.durationS[i]) },
    { name: 'account_age_days', group: 'metadata', extract: (t, r) => numeric(r, (i) => t.accountAgeDays[i]) },
    { name: 'prior_strikes', group: 'metadata', extract: (t, r) => numeric(r, (i) => t.priorStrikes[i]) },
    { name: 'upload_hour', group: 'metadata', extract: (t, r) => numeric(r, (i) => t.uploadHour[i]) },
    { name: 'frame_count', group: 'visual', extract: (t, r) => numeric(r, (i) => frameCount(t, i)) },
    ...embeddingFeatures('visual', ref.visual),
    { name: 'audio_available', group: 'audio', extract: (t, r) => categorical(r, (i) => yesNo(t.hasAudio[i] === 1)) },
    { name: 'audio_segments', group: 'audio', conditional: true, extract: (t, r) => numeric(r, (i) => (t.hasAudio[i] ? audioCount(t, i) : NaN)) },
    ...embeddingFeatures('audio', ref.audio),
    { name: 'transcript_available', group: 'text', extract: (t, r) => categorical(r, (i) => yesNo(t.transcript[i] !== null && t.transcript[i] !== '')) },
    { name: 'language', group: 'text', conditional: true, extract: (t, r) => categorical(r, (i) => t.language[i]) },
    { name: 'asr_confidence', group: 'text', conditional: true, extract: (t, r) => numeric(r, (i) => t.asrConfidence[i]) },
    { name: 'transcript_words', group: 'text', conditional: true, extract: (t, r) => numeric(r, (i) => { const s = t.transcript[i]; return s ? s.split(/\s+/).filter(Boolean).length : NaN; }) },
    // Harm mix: the primary (first) policy tag of the uploads labelled harmful. A new kind of harm is a
    // tiny share of all uploads (invisible to PSI over everything) but a large share of the harmful
    // ones. Tag combinations would split the few harmful uploads of a week into too many bins.
    { name: 'harm_mix', group: 'labels', conditional: true, extract: (t, r) => categorical(r, (i) => (t.harmful[i] === 1 && t.policyTags[i].length ? t.policyTags[i][0] : null)) },
  ];
  if (withScore) defs.push({ name: 'score', group: 'score', extract: () => { throw new Error('score is supplied by the caller'); } });
  return defs;
}

/** Keep only rows where the value is present (for conditional features). */
export function presentOnly(ex: Extracted, w: Float64Array): { ex: Extracted; w: Float64Array } {
  const keep: number[] = [];
  for (let k = 0; k < w.length; k++) {
    const v = ex.values[k];
    if (ex.kind === 'numeric' ? Number.isFinite(v as number) : v !== null) keep.push(k);
  }
  const w2 = Float64Array.from(keep, (k) => w[k]);
  if (ex.kind === 'numeric') return { ex: { kind: 'numeric', values: Float64Array.from(keep, (k) => ex.values[k]) }, w: w2 };
  return { ex: { kind: 'categorical', values: keep.map((k) => ex.values[k]) }, w: w2 };
}

export function weightsOf(t: VideoTable, rows: readonly number[]): Float64Array {
  const w = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) w[k] = Number.isFinite(t.weight[rows[k]]) && t.weight[rows[k]] > 0 ? t.weight[rows[k]] : 1;
  return w;
}

export function scoreValues(scores: ArrayLike<number>, t: VideoTable, rows: readonly number[]): Extracted {
  if (scores.length !== t.n) throw new VigilError(`scores: expected one per table row (${t.n}), got ${scores.length}`, { field: 'scores' });
  return numeric(rows, (i) => scores[i]);
}
