import { MS_PER_DAY, frameCount, audioCount, type VideoTable } from '../data/table.js';
import { createRng } from '../util/rng.js';
import { VigilError } from '../util/errors.js';
import { categoricalLevels, categoricalShares, numericShares, psi, quantileEdges } from './psi.js';
import {
  PSI_ALERT, PSI_WARN, psiLevel,
  type DriftLevel, type DriftReference, type DriftReport, type EmbeddingReference, type FeatureDrift, type FeatureGroup, type FeatureReference, type WeekDrift,
} from './types.js';

/**
 * Drift monitoring: every monitored quantity is reduced to one value per video (a number with NaN
 * for missing, or a category with null for missing), binned on the training reference, and compared
 * week by week with PSI. Embeddings are summarised by the norm of the mean-pooled embedding and its
 * projections on the reference's leading principal directions: cheap, stable, and they move when
 * the content mix moves.
 */

type Extracted = { kind: 'numeric'; values: Float64Array } | { kind: 'categorical'; values: (string | null)[] };
interface FeatureDef {
  name: string;
  group: FeatureGroup;
  /** See FeatureReference.conditional. */
  conditional?: boolean;
  extract(t: VideoTable, rows: readonly number[]): Extracted;
}

const numeric = (rows: readonly number[], f: (i: number) => number): Extracted => {
  const v = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) v[k] = f(rows[k]);
  return { kind: 'numeric', values: v };
};
const categorical = (rows: readonly number[], f: (i: number) => string | null): Extracted => ({ kind: 'categorical', values: rows.map(f) });
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Mean-pooled embedding of row i (frames or audio segments); null when the row has none. */
function pooled(t: VideoTable, i: number, which: 'visual' | 'audio'): Float64Array | null {
  const dim = which === 'visual' ? t.frameDim : t.audioDim;
  const off = which === 'visual' ? t.frameOffsets : t.audioOffsets;
  const emb = which === 'visual' ? t.frameEmb : t.audioEmb;
  const a = off[i], b = off[i + 1];
  if (b <= a || dim === 0 || (which === 'audio' && !t.hasAudio[i])) return null;
  const out = new Float64Array(dim);
  for (let r = a; r < b; r++) for (let j = 0; j < dim; j++) out[j] += emb[r * dim + j];
  for (let j = 0; j < dim; j++) out[j] /= b - a;
  return out;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

/** Clusters in the embedding codebook: enough to separate content kinds, few enough that each holds ~5%+ of the reference. */
export const EMBEDDING_CLUSTERS = 16;

/**
 * Mean and the top `k` principal directions of the pooled embeddings of up to `sample` rows, by power
 * iteration with deflation (X^T X v without forming the covariance). Each direction's sign is fixed
 * (largest component positive) so the same data always gives the same reference.
 */
export function embeddingReference(t: VideoTable, rows: readonly number[], which: 'visual' | 'audio', k = 2, sample = 4000, seed = 7): EmbeddingReference | undefined {
  const dim = which === 'visual' ? t.frameDim : t.audioDim;
  if (dim === 0) return undefined;
  const rng = createRng(seed);
  const pick = rows.length <= sample ? [...rows] : Array.from({ length: sample }, () => rows[rng.int(rows.length)]);
  const X: Float64Array[] = [];
  for (const i of pick) {
    const p = pooled(t, i, which);
    if (p) X.push(p);
  }
  if (X.length < 2) return undefined;
  const mean = new Float64Array(dim);
  for (const x of X) for (let j = 0; j < dim; j++) mean[j] += x[j] / X.length;
  const C = X.map((x) => x.map((v, j) => v - mean[j]));
  const dirs: number[][] = [];
  for (let d = 0; d < Math.min(k, dim); d++) {
    let v = new Float64Array(dim).map(() => rng.normal());
    for (let it = 0; it < 60; it++) {
      const w = new Float64Array(dim);
      for (const c of C) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += c[j] * v[j];
        for (let j = 0; j < dim; j++) w[j] += dot * c[j];
      }
      for (const u of dirs) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += u[j] * w[j];
        for (let j = 0; j < dim; j++) w[j] -= dot * u[j];
      }
      const n = norm(w);
      if (n === 0) break;
      v = w.map((x) => x / n);
    }
    let big = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) v = v.map((x) => -x);
    dirs.push(Array.from(v));
  }
  return { dim, mean: Array.from(mean), directions: dirs, centroids: kMeans(X, EMBEDDING_CLUSTERS, rng) };
}

function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) { const d = a[j] - b[j]; s += d * d; }
  return s;
}

/** Index of the nearest centroid and the distance to it. */
export function nearestCentroid(x: ArrayLike<number>, centroids: number[][]): { index: number; dist: number } {
  let best = 0, bd = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = sqDist(x, centroids[c]);
    if (d < bd) { bd = d; best = c; }
  }
  return { index: best, dist: Math.sqrt(bd) };
}

/** k-means++ seeding then Lloyd iterations; deterministic for a given rng. */
export function kMeans(X: Float64Array[], k: number, rng: { next(): number; int(n: number): number }, iters = 25): number[][] {
  if (X.length === 0) return [];
  k = Math.min(k, X.length);
  const C: Float64Array[] = [Float64Array.from(X[rng.int(X.length)])];
  const d2 = X.map((x) => sqDist(x, C[0]));
  while (C.length < k) {
    const total = d2.reduce((a, b) => a + b, 0);
    let u = rng.next() * total, pick = 0;
    for (; pick < X.length - 1; pick++) { u -= d2[pick]; if (u <= 0) break; }
    C.push(Float64Array.from(X[pick]));
    for (let i = 0; i < X.length; i++) d2[i] = Math.min(d2[i], sqDist(X[i], C[C.length - 1]));
  }
  const dim = X[0].length;
  const assign = new Int32Array(X.length);
  for (let it = 0; it < iters; it++) {
    let moved = 0;
    const cents = C.map((c) => Array.from(c));
    for (let i = 0; i < X.length; i++) {
      const a = nearestCentroid(X[i], cents).index;
      if (a !== assign[i] || it === 0) { moved++; assign[i] = a; }
    }
    const sum = C.map(() => new Float64Array(dim));
    const cnt = new Float64Array(C.length);
    for (let i = 0; i < X.length; i++) { cnt[assign[i]]++; for (let j = 0; j < dim; j++) sum[assign[i]][j] += X[i][j]; }
    for (let c = 0; c < C.length; c++) if (cnt[c] > 0) for (let j = 0; j < dim; j++) C[c][j] = sum[c][j] / cnt[c];
    if (moved === 0) break;
  }
  return C.map((c) => Array.from(c));
}

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
function featureDefs(ref: DriftReference['embeddings'], withScore: boolean): FeatureDef[] {
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
function presentOnly(ex: Extracted, w: Float64Array): { ex: Extracted; w: Float64Array } {
  const keep: number[] = [];
  for (let k = 0; k < w.length; k++) {
    const v = ex.values[k];
    if (ex.kind === 'numeric' ? Number.isFinite(v as number) : v !== null) keep.push(k);
  }
  const w2 = Float64Array.from(keep, (k) => w[k]);
  if (ex.kind === 'numeric') return { ex: { kind: 'numeric', values: Float64Array.from(keep, (k) => ex.values[k]) }, w: w2 };
  return { ex: { kind: 'categorical', values: keep.map((k) => ex.values[k]) }, w: w2 };
}

function weightsOf(t: VideoTable, rows: readonly number[]): Float64Array {
  const w = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) w[k] = Number.isFinite(t.weight[rows[k]]) && t.weight[rows[k]] > 0 ? t.weight[rows[k]] : 1;
  return w;
}

function scoreValues(scores: ArrayLike<number>, t: VideoTable, rows: readonly number[]): Extracted {
  if (scores.length !== t.n) throw new VigilError(`scores: expected one per table row (${t.n}), got ${scores.length}`, { field: 'scores' });
  return numeric(rows, (i) => scores[i]);
}

/**
 * The training reference for drift monitoring (`reference.json` in a run folder): bins for every
 * monitored feature fitted on `rows` (the training rows), and optionally the model's scores on them
 * (`scores` aligned with the table's rows).
 */
export function buildReference(
  t: VideoTable, rows: readonly number[], scores?: ArrayLike<number>,
  opts: {
    bins?: number; now?: Date;
    /**
     * Rows whose scores form the score reference (default `rows`). Scores on the training rows are
     * in-sample (over-confident); the calibration window's are what the model does on unseen data.
     */
    scoreRows?: readonly number[];
  } = {},
): DriftReference {
  if (rows.length === 0) throw new VigilError('buildReference: no reference rows', { field: 'rows' });
  const bins = opts.bins ?? 10;
  const embeddings = { visual: embeddingReference(t, rows, 'visual'), audio: embeddingReference(t, rows, 'audio') };
  const w0 = weightsOf(t, rows);
  const features: FeatureReference[] = [];
  for (const def of featureDefs(embeddings, scores !== undefined)) {
    const isScore = def.name === 'score';
    let ex = isScore ? scoreValues(scores!, t, opts.scoreRows ?? rows) : def.extract(t, rows);
    let w = isScore && opts.scoreRows ? weightsOf(t, opts.scoreRows) : w0;
    if (def.conditional) ({ ex, w } = presentOnly(ex, w0));
    if (ex.values.length === 0) continue; // never present in the reference: nothing to compare against
    const cond = def.conditional ? { conditional: true } : {};
    if (ex.kind === 'numeric') {
      const edges = quantileEdges(ex.values, bins, w);
      features.push({ name: def.name, group: def.group, kind: 'numeric', edges, ...cond, n: ex.values.length, shares: numericShares(ex.values, edges, w) });
    } else {
      const levels = categoricalLevels(ex.values, 0.01, w);
      features.push({ name: def.name, group: def.group, kind: 'categorical', levels, ...cond, n: ex.values.length, shares: categoricalShares(ex.values, levels, w) });
    }
  }
  return { version: 1, createdAt: (opts.now ?? new Date()).toISOString(), rows: rows.length, features, embeddings };
}

/** Rows of a dataset without upload times (an imported table) form one bucket under this label. */
export const UNDATED_WEEK = 'undated';

/** Monday (UTC) of the week holding `ts`, as YYYY-MM-DD; `UNDATED_WEEK` when there is no time. */
export function weekStart(ts: number): string {
  if (!Number.isFinite(ts)) return UNDATED_WEEK;
  const day = Math.floor(ts / MS_PER_DAY);
  const monday = day - ((day + 3) % 7 + 7) % 7; // 1970-01-01 was a Thursday
  return new Date(monday * MS_PER_DAY).toISOString().slice(0, 10);
}

export interface DriftOptions {
  /** Rows to monitor (default: all). */
  rows?: readonly number[];
  /** Current model scores aligned with the table's rows; enables score PSI when the reference has it. */
  scores?: ArrayLike<number>;
  /** Weeks with fewer rows are reported but never alert (PSI of a small sample is mostly noise). */
  minRows?: number;
  /**
   * The same for a conditional feature's rows in a week (default 100). Harm arrives in bursts
   * (re-upload waves, rings), so a few dozen harmful uploads can miss a whole category by chance:
   * on the simulator a training week with 74 harmful uploads and one csam case instead of ~8 read
   * harm-mix PSI 0.30.
   */
  minFeatureRows?: number;
  warn?: number;
  alert?: number;
  now?: Date;
}

/**
 * PSI of two samples from the same distribution is about χ²(k−1)·(1/n + 1/n_ref) — not zero — so a
 * week of 100 rows over 5 bins reads ≈ 0.04 with no drift at all. Subtracting it keeps small weeks
 * and rare conditional features (the harm mix) from alerting on noise; on large weeks it is ~0.
 */
export function psiNoise(f: FeatureReference, n: number): number {
  if (n <= 0) return 0;
  const k = f.shares.filter((x) => x > 0).length;
  const nRef = f.n ?? Infinity;
  return Math.max(0, k - 1) * (1 / n + 1 / nRef);
}

const LEVEL_RANK: Record<DriftLevel, number> = { ok: 0, warn: 1, alert: 2 };

/** PSI of every reference feature, week by week, for the rows of `t`. */
export function computeDrift(ref: DriftReference, t: VideoTable, opts: DriftOptions = {}): DriftReport {
  if (ref.version !== 1 || !Array.isArray(ref.features)) throw new VigilError('reference.json: unsupported or corrupt drift reference', { field: 'reference' });
  const warn = opts.warn ?? PSI_WARN, alert = opts.alert ?? PSI_ALERT, minRows = opts.minRows ?? 200, minFeatureRows = opts.minFeatureRows ?? 100;
  const rows = opts.rows ?? Array.from({ length: t.n }, (_, i) => i);
  const byWeek = new Map<string, number[]>();
  for (const i of rows) {
    const wk = weekStart(t.uploadTs[i]);
    let list = byWeek.get(wk);
    if (!list) byWeek.set(wk, (list = []));
    list.push(i);
  }
  const defs = new Map(featureDefs(ref.embeddings, true).map((d) => [d.name, d]));
  const weeks: WeekDrift[] = [];
  for (const week of [...byWeek.keys()].sort()) {
    const wr = byWeek.get(week)!;
    const w = weightsOf(t, wr);
    const tooSmall = wr.length < minRows;
    const features: FeatureDrift[] = [];
    for (const f of ref.features) {
      let ex: Extracted;
      if (f.name === 'score') {
        if (!opts.scores) continue;
        ex = scoreValues(opts.scores, t, wr);
      } else {
        const def = defs.get(f.name);
        if (!def) continue; // a feature from a newer reference format: skip rather than guess
        ex = def.extract(t, wr);
      }
      let fw = w;
      if (f.conditional) {
        ({ ex, w: fw } = presentOnly(ex, w));
        if (ex.values.length === 0) continue; // the modality is absent all week: its availability feature says so
      }
      const cur = ex.kind === 'numeric' ? numericShares(ex.values, f.edges ?? [], fw) : categoricalShares(ex.values, f.levels ?? [], fw);
      const v = psi(f.shares, cur);
      const fn = ex.values.length;
      const noise = psiNoise(f, fn);
      const small = tooSmall || (f.conditional === true && fn < minFeatureRows);
      features.push({ name: f.name, group: f.group, psi: v, noise, n: fn, tooSmall: small, level: small ? 'ok' : psiLevel(v - noise, warn, alert) });
    }
    // A week's level comes from the features large enough to judge.
    const judged = features.filter((f) => !f.tooSmall);
    // maxPsi is what the week's level rests on; a week too small to judge reports its raw worst.
    const maxPsi = (tooSmall ? features : judged).reduce((m, f) => Math.max(m, f.psi), 0);
    const maxJudged = judged.reduce((m, f) => Math.max(m, f.psi - f.noise), 0);
    // Label drift, when labels exist (unlabelled rows carry -1).
    let pos = 0, lab = 0;
    for (let k = 0; k < wr.length; k++) {
      const y = t.harmful[wr[k]];
      if (y === 0 || y === 1) { lab += w[k]; pos += y * w[k]; }
    }
    weeks.push({ week, n: wr.length, prevalence: lab > 0 ? pos / lab : null, tooSmall, features, maxPsi, level: tooSmall ? 'ok' : psiLevel(maxJudged, warn, alert) });
  }
  const alerts = weeks.filter((wk) => !wk.tooSmall).flatMap((wk) => wk.features.filter((f) => f.level !== 'ok').map((f) => ({ week: wk.week, feature: f.name, group: f.group, psi: f.psi, noise: f.noise, level: f.level })));
  const level = weeks.reduce<DriftLevel>((m, wk) => (LEVEL_RANK[wk.level] > LEVEL_RANK[m] ? wk.level : m), 'ok');
  return { createdAt: (opts.now ?? new Date()).toISOString(), referenceRows: ref.rows, thresholds: { warn, alert }, minRows, minFeatureRows, weeks, alerts, level };
}

/** A terminal summary: one line per week with its worst features. */
export function formatDrift(r: DriftReport): string {
  const lines = [`drift vs training reference (${r.referenceRows} videos); warn ≥ ${r.thresholds.warn}, alert ≥ ${r.thresholds.alert}`, ''];
  for (const wk of r.weeks) {
    const worst = [...wk.features].sort((a, b) => b.psi - a.psi).slice(0, 3).map((f) => `${f.name} ${f.psi.toFixed(3)}${f.tooSmall ? ` (n=${f.n}, too few)` : ''}`).join(', ');
    const prev = wk.prevalence === null ? '' : `  harmful ${(wk.prevalence * 100).toFixed(2)}%`;
    lines.push(`${wk.week}  n=${String(wk.n).padStart(6)}  ${(wk.tooSmall ? 'small' : wk.level).padEnd(5)}  max PSI ${wk.maxPsi.toFixed(3)}${prev}  (${worst})`);
  }
  lines.push('', `overall: ${r.level.toUpperCase()} (${r.alerts.length} feature-weeks at warn or alert)`);
  return lines.join('\n');
}

/** The drift reference's file name inside a run folder. */
export const REFERENCE_FILE = 'reference.json' as const;
