import { MS_PER_DAY, type VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { categoricalLevels, categoricalShares, numericShares, psi, quantileEdges } from './psi.js';
import {
  PSI_ALERT, PSI_WARN, psiLevel,
  type DriftLevel, type DriftReference, type DriftReport, type FeatureDrift, type FeatureReference, type WeekDrift,
} from './types.js';
import { embeddingReference } from './embeddingSummary.js';
import { featureDefs, presentOnly, scoreValues, weightsOf, type Extracted } from './features.js';

/**
 * Drift monitoring, weekly PSI: every monitored quantity (features.ts) is reduced to one value per
 * video (a number with NaN for missing, or a category with null for missing), binned on the training
 * reference, and compared week by week with PSI. Embeddings enter through their summaries
 * (embeddingSummary.ts): cheap, stable, and they move when the content mix moves.
 */

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
