/**
 * The weekly drift tables (monitor/drift.ts) as one SQL aggregate over the store: per upload week
 * and per metadata-level feature, the weighted shares of the reference's bins, with PSI against the
 * reference shares computed afterwards by the same `psi()` the TypeScript report uses. Only the small
 * per-(week, feature, bin) table leaves the engine, so a year of uploads is never loaded.
 *
 * Bins mean exactly what numericShares / categoricalShares mean: a numeric value falls in the bin
 * [edge[b−1], edge[b]) (the count of edges ≤ v), a missing one in the trailing bin; a categorical
 * value goes to its level, an unknown one to `(other)`, a missing one to the trailing bin. Weights are
 * weightsOf's (non-finite or ≤ 0 → 1). A conditional feature counts only the rows that have it and
 * is left out of a week where no row has it, as drift.ts does.
 *
 * The reference's edges and levels go in through the bulk appender as tables `drift_bins`
 * (numeric: one row per bin with its half-open range, plus the missing bin) and `drift_levels`
 * (categorical); open ends are ±Infinity so every join condition is a plain comparison.
 *
 * What stays in TypeScript: the embedding summaries (norms, principal components, codebook clusters
 * and novelty need the pooled embeddings and the reference's mean/directions/centroids), the
 * transcript word count (JavaScript's whitespace split has no portable SQL twin) and the model's
 * score (it comes from the model, not the store). `skipped` lists the reference features left out.
 */
import type { SqlEngine } from '../sqlEngine.js';
import type { DriftReference, FeatureGroup, FeatureReference } from '../../monitor/types.js';
import { OTHER_LEVEL, psi } from '../../monitor/psi.js';
import { UNDATED_WEEK, psiNoise } from '../../monitor/drift.js';
import { MS_PER_DAY } from '../../data/table.js';
import { VigilError } from '../../util/errors.js';

/**
 * The monitored features the store view can express, as one SQL value per row (NULL = missing),
 * mirroring features.ts. upload_hour reads −1 when unknown because that is what the loader stores
 * (Int8Array) and what drift.ts therefore bins, as a value below every hour.
 */
const EXPRESSIBLE: Record<string, { kind: 'numeric' | 'categorical'; sql: string }> = {
  country: { kind: 'categorical', sql: 'country' },
  device: { kind: 'categorical', sql: 'device' },
  duration_s: { kind: 'numeric', sql: 'duration_s' },
  account_age_days: { kind: 'numeric', sql: 'account_age_days' },
  prior_strikes: { kind: 'numeric', sql: 'prior_strikes' },
  upload_hour: { kind: 'numeric', sql: 'COALESCE(upload_hour, CAST(-1 AS DOUBLE))' },
  frame_count: { kind: 'numeric', sql: 'CAST(frame_count AS DOUBLE)' },
  audio_available: { kind: 'categorical', sql: "CASE WHEN has_audio = 1 THEN 'yes' ELSE 'no' END" },
  audio_segments: { kind: 'numeric', sql: 'CAST(audio_segments AS DOUBLE)' },
  transcript_available: { kind: 'categorical', sql: "CASE WHEN has_transcript = 1 THEN 'yes' ELSE 'no' END" },
  language: { kind: 'categorical', sql: 'language' },
  asr_confidence: { kind: 'numeric', sql: 'asr_confidence' },
  // Harm mix: the first policy tag of the uploads labelled harmful.
  harm_mix: { kind: 'categorical', sql: 'CASE WHEN harmful = 1 THEN policy_tag END' },
};

/** Names of the reference features this job computes; the rest stay with monitor/drift.ts. */
export const SQL_DRIFT_FEATURES: readonly string[] = Object.keys(EXPRESSIBLE);

export interface DriftTableFeature {
  name: string;
  group: FeatureGroup;
  /** Rows binned (for a conditional feature, those that have the value). */
  n: number;
  /** Weighted share per reference bin, the trailing one for missing values. */
  shares: number[];
  psi: number;
  /** Sampling-noise PSI for n rows (drift.ts psiNoise). */
  noise: number;
}

export interface DriftTableWeek {
  /** Monday of the upload week (YYYY-MM-DD, UTC), or 'undated'. */
  week: string;
  n: number;
  /** Weighted harmful share among labelled rows; null when the week has no labels. */
  prevalence: number | null;
  /** In reference order; a conditional feature no row of the week has is left out. */
  features: DriftTableFeature[];
}

export interface DriftTables {
  weeks: DriftTableWeek[];
  /** Reference features computed in TypeScript instead (embedding summaries, word counts, score). */
  skipped: string[];
}

/** Monday (as days since the epoch) of an upload, the week key of drift.ts weekStart, in plain SQL. */
const MONDAY = `CAST(FLOOR(CAST(upload_ms AS DOUBLE) / CAST(${MS_PER_DAY} AS DOUBLE)) AS BIGINT)`;
const WEEK_DAY = `CASE WHEN upload_ms IS NULL THEN NULL ELSE ${MONDAY} - ((${MONDAY} + 3) % 7 + 7) % 7 END`;

function checkFeature(f: FeatureReference): void {
  const def = EXPRESSIBLE[f.name];
  if (!def) throw new VigilError(`drift reference feature '${f.name}': the store view cannot express it (SQL drift covers ${SQL_DRIFT_FEATURES.join(', ')})`, { field: f.name });
  if (f.kind !== def.kind) throw new VigilError(`drift reference feature '${f.name}': expected kind '${def.kind}', got '${f.kind}'`, { field: f.name });
  if (f.kind === 'numeric') {
    const e = f.edges ?? [];
    e.forEach((x, i) => {
      if (!Number.isFinite(x) || (i > 0 && !(x > e[i - 1]))) throw new VigilError(`drift reference feature '${f.name}': edges must be finite and increasing, got ${x} at ${i}`, { field: f.name });
    });
    if (f.shares.length !== e.length + 2) throw new VigilError(`drift reference feature '${f.name}': expected ${e.length + 2} shares for ${e.length} edges, got ${f.shares.length}`, { field: f.name });
  } else {
    const l = f.levels ?? [];
    if (!l.includes(OTHER_LEVEL)) throw new VigilError(`drift reference feature '${f.name}': levels must include '${OTHER_LEVEL}'`, { field: f.name });
    if (new Set(l).size !== l.length) throw new VigilError(`drift reference feature '${f.name}': levels must be distinct`, { field: f.name });
    if (f.shares.length !== l.length + 1) throw new VigilError(`drift reference feature '${f.name}': expected ${l.length + 1} shares for ${l.length} levels, got ${f.shares.length}`, { field: f.name });
  }
}

/**
 * Weekly drift tables for `ref` over view `view`. `features` names the reference features to compute
 * (default: every one the view can express); naming one the view cannot express, or one the
 * reference lacks, is an error, and so is a reference with nothing to compute.
 */
export async function driftTablesSql(
  engine: SqlEngine, ref: DriftReference, opts: { features?: readonly string[]; view?: string } = {},
): Promise<DriftTables> {
  const view = opts.view ?? 'videos';
  if (!ref || ref.version !== 1 || !Array.isArray(ref.features)) throw new VigilError('drift reference: unsupported or corrupt (expected version 1 with a features list)', { field: 'reference' });
  if (ref.features.length === 0) throw new VigilError('drift reference: it has no features to compare against', { field: 'features' });
  let chosen: FeatureReference[];
  if (opts.features) {
    chosen = opts.features.map((name) => {
      const f = ref.features.find((x) => x.name === name);
      if (!f) throw new VigilError(`drift reference feature '${name}': not in the reference (it has ${ref.features.map((x) => x.name).join(', ')})`, { field: name });
      return f;
    });
  } else {
    chosen = ref.features.filter((f) => f.name in EXPRESSIBLE);
  }
  if (chosen.length === 0) throw new VigilError(`drift reference: none of its features can be computed in SQL (it has ${ref.features.map((x) => x.name).join(', ')})`, { field: 'features' });
  chosen.forEach(checkFeature);
  const skipped = ref.features.filter((f) => !chosen.includes(f)).map((f) => f.name);

  // Reference bins as small tables; fid is the position in `chosen`.
  const bins = { fid: [] as number[], bin: [] as number[], missing: [] as number[], lo: [] as number[], hi: [] as number[] };
  const levels = { fid: [] as number[], bin: [] as number[], level: [] as string[] };
  const cats = { fid: [] as number[], otherBin: [] as number[], missingBin: [] as number[] };
  chosen.forEach((f, fid) => {
    if (f.kind === 'numeric') {
      const e = f.edges ?? [];
      for (let b = 0; b <= e.length; b++) {
        bins.fid.push(fid); bins.bin.push(b); bins.missing.push(0);
        bins.lo.push(b === 0 ? -Infinity : e[b - 1]); bins.hi.push(b === e.length ? Infinity : e[b]);
      }
      bins.fid.push(fid); bins.bin.push(e.length + 1); bins.missing.push(1); bins.lo.push(-Infinity); bins.hi.push(Infinity);
    } else {
      const l = f.levels!;
      l.forEach((lv, b) => { levels.fid.push(fid); levels.bin.push(b); levels.level.push(lv); });
      cats.fid.push(fid); cats.otherBin.push(l.indexOf(OTHER_LEVEL)); cats.missingBin.push(l.length);
    }
  });
  await engine.createTable('drift_bins', [
    { name: 'fid', type: 'BIGINT', values: bins.fid }, { name: 'bin', type: 'BIGINT', values: bins.bin },
    { name: 'missing', type: 'BIGINT', values: bins.missing }, { name: 'lo', type: 'DOUBLE', values: bins.lo }, { name: 'hi', type: 'DOUBLE', values: bins.hi },
  ]);
  await engine.createTable('drift_levels', [
    { name: 'fid', type: 'BIGINT', values: levels.fid }, { name: 'bin', type: 'BIGINT', values: levels.bin }, { name: 'level', type: 'VARCHAR', values: levels.level },
  ]);
  await engine.createTable('drift_categorical', [
    { name: 'fid', type: 'BIGINT', values: cats.fid }, { name: 'other_bin', type: 'BIGINT', values: cats.otherBin }, { name: 'missing_bin', type: 'BIGINT', values: cats.missingBin },
  ]);

  // One long (week, weight, feature, value) relation; conditional features keep present rows only.
  const branch = (f: FeatureReference, fid: number, col: 'x' | 'c') => {
    const expr = EXPRESSIBLE[f.name].sql;
    const other = col === 'x' ? 'CAST(NULL AS VARCHAR) AS c' : 'CAST(NULL AS DOUBLE) AS x';
    const value = col === 'x' ? `CAST(${expr} AS DOUBLE) AS x, ${other}` : `${other}, CAST(${expr} AS VARCHAR) AS c`;
    return `SELECT wk, w, CAST(${fid} AS BIGINT) AS fid, ${value} FROM base${f.conditional ? ` WHERE (${expr}) IS NOT NULL` : ''}`;
  };
  const numBranches = chosen.map((f, fid) => (f.kind === 'numeric' ? branch(f, fid, 'x') : null)).filter((s): s is string => s !== null);
  const catBranches = chosen.map((f, fid) => (f.kind === 'categorical' ? branch(f, fid, 'c') : null)).filter((s): s is string => s !== null);
  const binnedParts: string[] = [];
  if (numBranches.length) {
    binnedParts.push(`SELECT v.wk, v.w, v.fid, b.bin FROM (${numBranches.join('\n      UNION ALL ')}) v
      JOIN drift_bins b ON b.fid = v.fid
        AND ((v.x IS NULL AND b.missing = 1) OR (v.x IS NOT NULL AND b.missing = 0 AND v.x >= b.lo AND v.x < b.hi))`);
  }
  if (catBranches.length) {
    binnedParts.push(`SELECT v.wk, v.w, v.fid,
        CASE WHEN v.c IS NULL THEN k.missing_bin WHEN l.bin IS NULL THEN k.other_bin ELSE l.bin END AS bin
      FROM (${catBranches.join('\n      UNION ALL ')}) v
      JOIN drift_categorical k ON k.fid = v.fid
      LEFT JOIN drift_levels l ON l.fid = v.fid AND l.level = v.c`);
  }
  const base = `base AS (
      SELECT *, ${WEEK_DAY} AS wk,
        CASE WHEN weight > 0 AND weight < CAST('Infinity' AS DOUBLE) THEN weight ELSE CAST(1 AS DOUBLE) END AS w
      FROM ${view})`;
  const cells = await engine.query(`WITH ${base},
    binned AS (${binnedParts.join('\n    UNION ALL\n    ')})
    SELECT wk, fid, bin,
      SUM(w) / SUM(SUM(w)) OVER (PARTITION BY wk, fid) AS share,
      SUM(COUNT(*)) OVER (PARTITION BY wk, fid) AS n
    FROM binned GROUP BY wk, fid, bin`);
  const weekRows = await engine.query(`WITH ${base}
    SELECT wk, COUNT(*) AS n,
      SUM(CASE WHEN harmful = 0 OR harmful = 1 THEN w ELSE 0 END) AS lab,
      SUM(CASE WHEN harmful = 1 THEN w ELSE 0 END) AS pos
    FROM base GROUP BY wk`);

  const weekOf = (wk: unknown) => (wk === null || wk === undefined ? UNDATED_WEEK : new Date(Number(wk) * MS_PER_DAY).toISOString().slice(0, 10));
  const byWeek = new Map<string, { n: number; prevalence: number | null; cells: Map<number, { n: number; shares: number[] }> }>();
  for (const r of weekRows) {
    const lab = Number(r.lab);
    byWeek.set(weekOf(r.wk), { n: Number(r.n), prevalence: lab > 0 ? Number(r.pos) / lab : null, cells: new Map() });
  }
  for (const r of cells) {
    const wk = byWeek.get(weekOf(r.wk))!;
    const fid = Number(r.fid);
    let cell = wk.cells.get(fid);
    if (!cell) {
      const f = chosen[fid];
      wk.cells.set(fid, (cell = { n: Number(r.n), shares: new Array<number>(f.shares.length).fill(0) }));
    }
    cell.shares[Number(r.bin)] = Number(r.share);
  }
  // Weeks in drift.ts order (string sort: dates ascending, 'undated' last).
  const weeks: DriftTableWeek[] = [...byWeek.keys()].sort().map((week) => {
    const wk = byWeek.get(week)!;
    const features: DriftTableFeature[] = [];
    chosen.forEach((f, fid) => {
      const cell = wk.cells.get(fid);
      if (!cell) return; // a conditional feature no row of this week has
      features.push({ name: f.name, group: f.group, n: cell.n, shares: cell.shares, psi: psi(f.shares, cell.shares), noise: psiNoise(f, cell.n) });
    });
    return { week, n: wk.n, prevalence: wk.prevalence, features };
  });
  return { weeks, skipped };
}
