/**
 * Point-in-time audit: checks, from the observed data alone, that no metadata feature of a row uses
 * information from after its upload_ts.
 *
 * - prior_strikes: strikes come from removals of harmful uploads. Between a creator's first observed
 *   count and a later upload b, strikes can grow by at most the number of that creator's harmful
 *   uploads strictly before b. A count that includes b itself (or any later removal) breaks this as
 *   soon as a creator's harmful upload is not preceded by another. Strikes that arrive late (a removal
 *   after a review delay), or predate the data, are allowed: only growth the past cannot explain fails.
 * - account_age_days: the age at upload, so upload_ts − age (the account's creation time) must be the
 *   same for all uploads of a creator, within `ageToleranceDays` (ages are often whole days). An age
 *   measured at a later snapshot drifts with upload time.
 */
import type { VideoTable } from '../data/table.js';
import { MS_PER_DAY } from '../data/table.js';
import { VigilError } from '../util/errors.js';

export interface PitViolation {
  row: number;
  videoId: string;
  creatorId: string;
  detail: string;
}

export interface PitCheck {
  name: 'prior_strikes' | 'account_age_days';
  creatorsChecked: number;
  rowsChecked: number;
  violations: number;
  /** Up to `maxExamples` violating rows. */
  examples: PitViolation[];
  pass: boolean;
}

export interface PitReport {
  pass: boolean;
  checks: PitCheck[];
  /** Set when the audit could not run (a dataset without upload times); checks are then empty. */
  skipped?: string;
}

export interface PitOptions {
  /** Allowed spread of the implied account creation time per creator, days. */
  ageToleranceDays?: number;
  /** Violations tolerated (as a share of rows checked) before a check fails; 0 = none. */
  tolerance?: number;
  maxExamples?: number;
}

/** Each creator's rows in upload order (ties by row index). */
export function rowsByCreator(table: VideoTable): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let i = 0; i < table.n; i++) {
    const c = table.creatorId[i];
    const l = m.get(c);
    if (l) l.push(i); else m.set(c, [i]);
  }
  for (const l of m.values()) l.sort((a, b) => table.uploadTs[a] - table.uploadTs[b] || a - b);
  return m;
}

function strikesCheck(table: VideoTable, byCreator: Map<string, number[]>, opts: Required<PitOptions>): PitCheck {
  let creators = 0, rows = 0, violations = 0;
  const examples: PitViolation[] = [];
  for (const [creator, list] of byCreator) {
    const obs = list.filter((i) => Number.isFinite(table.priorStrikes[i]));
    if (obs.length < 2) continue;
    creators++;
    const base = table.priorStrikes[obs[0]];
    // All of this creator's harmful uploads, in time order. Those before the first observed count may
    // or may not be in it yet (removal takes time), so they all stay allowed: the bound is sound.
    const harmTs = list.filter((i) => table.harmful[i] === 1).map((i) => table.uploadTs[i]);
    let h = 0;
    for (let k = 1; k < obs.length; k++) {
      const i = obs[k];
      const t = table.uploadTs[i];
      while (h < harmTs.length && harmTs[h] < t) h++; // strictly earlier only
      rows++;
      const growth = table.priorStrikes[i] - base;
      if (growth > h) {
        violations++;
        if (examples.length < opts.maxExamples) {
          examples.push({ row: i, videoId: table.videoId[i], creatorId: creator,
            detail: `prior_strikes grew by ${growth} since the creator's first observed count, but only ${h} of the creator's harmful uploads precede this one` });
        }
      }
    }
  }
  return { name: 'prior_strikes', creatorsChecked: creators, rowsChecked: rows, violations, examples,
    pass: violations <= opts.tolerance * Math.max(rows, 1) };
}

function ageCheck(table: VideoTable, byCreator: Map<string, number[]>, opts: Required<PitOptions>): PitCheck {
  let creators = 0, rows = 0, violations = 0;
  const examples: PitViolation[] = [];
  const tol = opts.ageToleranceDays * MS_PER_DAY;
  for (const [creator, list] of byCreator) {
    const obs = list.filter((i) => Number.isFinite(table.accountAgeDays[i]));
    if (obs.length < 2) continue;
    creators++;
    // Reference: the median implied creation time, so one bad row is blamed, not the whole creator.
    const created = obs.map((i) => table.uploadTs[i] - table.accountAgeDays[i] * MS_PER_DAY);
    const ref = [...created].sort((a, b) => a - b)[Math.floor(created.length / 2)];
    obs.forEach((i, k) => {
      rows++;
      const off = (created[k] - ref) / MS_PER_DAY;
      if (Math.abs(off) * MS_PER_DAY > tol) {
        violations++;
        if (examples.length < opts.maxExamples) {
          examples.push({ row: i, videoId: table.videoId[i], creatorId: creator,
            detail: `account_age_days=${table.accountAgeDays[i]} implies an account created ${off.toFixed(1)} days away from the creator's other uploads` });
        }
      }
    });
  }
  return { name: 'account_age_days', creatorsChecked: creators, rowsChecked: rows, violations, examples,
    pass: violations <= opts.tolerance * Math.max(rows, 1) };
}

export function auditPointInTime(table: VideoTable, options: PitOptions = {}): PitReport {
  const opts: Required<PitOptions> = { ageToleranceDays: 1.01, tolerance: 0, maxExamples: 5, ...options };
  const byCreator = rowsByCreator(table);
  const checks = [strikesCheck(table, byCreator, opts), ageCheck(table, byCreator, opts)];
  return { pass: checks.every((c) => c.pass), checks };
}

/** Throws a VigilError naming the first failing column and an example row. */
export function assertPointInTime(table: VideoTable, options: PitOptions = {}): PitReport {
  const r = auditPointInTime(table, options);
  const bad = r.checks.find((c) => !c.pass);
  if (bad) {
    const ex = bad.examples[0];
    throw new VigilError(`'${bad.name}' uses information from after upload_ts: ${bad.violations} of ${bad.rowsChecked} rows fail` +
      (ex ? `; e.g. row ${ex.row} (video '${ex.videoId}', creator '${ex.creatorId}'): ${ex.detail}` : ''), { field: bad.name, row: ex?.row });
  }
  return r;
}
