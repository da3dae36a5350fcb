/**
 * The point-in-time audit (split/pointInTime.ts) as SQL window functions and a self-join over the
 * store, so it runs on the whole history without loading it: per creator, strikes may grow only by
 * the creator's strictly earlier harmful uploads; the implied account creation time must agree with
 * the creator's median. Examples come in the order the TypeScript audit finds them (creators by
 * first row, uploads by time), so the two reports are identical.
 */
import type { SqlEngine } from '../sqlEngine.js';
import type { PitCheck, PitOptions, PitReport } from '../../split/pointInTime.js';
import { MS_PER_DAY } from '../../data/table.js';

async function strikesSql(engine: SqlEngine, view: string, opts: Required<PitOptions>): Promise<PitCheck> {
  await engine.run(`CREATE OR REPLACE TEMP TABLE pit_strikes AS
    WITH firsts AS (SELECT creator_id, MIN(row_idx) AS creator_first FROM ${view} GROUP BY creator_id),
    obs AS (
      SELECT row_idx, video_id, creator_id, upload_ms, prior_strikes,
        ROW_NUMBER() OVER (PARTITION BY creator_id ORDER BY upload_ms, row_idx) AS k,
        COUNT(*) OVER (PARTITION BY creator_id) AS n_obs,
        FIRST_VALUE(prior_strikes) OVER (PARTITION BY creator_id ORDER BY upload_ms, row_idx) AS base
      FROM ${view} WHERE prior_strikes IS NOT NULL
    ),
    harm AS (SELECT creator_id, upload_ms FROM ${view} WHERE harmful = 1)
    SELECT o.row_idx, o.video_id, o.creator_id, o.k, f.creator_first,
      o.prior_strikes - o.base AS growth, COUNT(h.upload_ms) AS earlier_harm
    FROM obs o
    JOIN firsts f ON f.creator_id = o.creator_id
    LEFT JOIN harm h ON h.creator_id = o.creator_id AND h.upload_ms < o.upload_ms
    WHERE o.n_obs >= 2 AND o.k >= 2
    GROUP BY o.row_idx, o.video_id, o.creator_id, o.k, f.creator_first, o.prior_strikes, o.base`);
  const [c] = await engine.query(`SELECT COUNT(DISTINCT creator_id) AS creators, COUNT(*) AS n,
    SUM(CASE WHEN growth > earlier_harm THEN 1 ELSE 0 END) AS bad FROM pit_strikes`);
  const ex = await engine.query(`SELECT row_idx, video_id, creator_id, growth, earlier_harm FROM pit_strikes
    WHERE growth > earlier_harm ORDER BY creator_first, k LIMIT ${opts.maxExamples}`);
  const rows = Number(c.n), violations = Number(c.bad ?? 0);
  return {
    name: 'prior_strikes', creatorsChecked: Number(c.creators), rowsChecked: rows, violations,
    examples: ex.map((r) => ({ row: Number(r.row_idx), videoId: String(r.video_id), creatorId: String(r.creator_id),
      detail: `prior_strikes grew by ${Number(r.growth)} since the creator's first observed count, but only ${Number(r.earlier_harm)} of the creator's harmful uploads precede this one` })),
    pass: violations <= opts.tolerance * Math.max(rows, 1),
  };
}

async function ageSql(engine: SqlEngine, view: string, opts: Required<PitOptions>): Promise<PitCheck> {
  const tol = opts.ageToleranceDays * MS_PER_DAY;
  await engine.run(`CREATE OR REPLACE TEMP TABLE pit_age AS
    WITH firsts AS (SELECT creator_id, MIN(row_idx) AS creator_first FROM ${view} GROUP BY creator_id),
    obs AS (
      SELECT row_idx, video_id, creator_id, account_age_days,
        CAST(upload_ms AS DOUBLE) - account_age_days * CAST(${MS_PER_DAY} AS DOUBLE) AS created,
        ROW_NUMBER() OVER (PARTITION BY creator_id ORDER BY upload_ms, row_idx) AS k,
        COUNT(*) OVER (PARTITION BY creator_id) AS n_obs
      FROM ${view} WHERE account_age_days IS NOT NULL
    ),
    ranked AS (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY creator_id ORDER BY created, row_idx) AS rk FROM obs o),
    refs AS (SELECT creator_id, created AS ref FROM ranked WHERE rk = CAST(FLOOR(n_obs / 2) AS BIGINT) + 1)
    SELECT o.row_idx, o.video_id, o.creator_id, o.k, f.creator_first, o.account_age_days,
      (o.created - r.ref) / CAST(${MS_PER_DAY} AS DOUBLE) AS off_days
    FROM obs o JOIN refs r ON r.creator_id = o.creator_id JOIN firsts f ON f.creator_id = o.creator_id
    WHERE o.n_obs >= 2`);
  // The tolerance test is done as the TypeScript audit does it (|off| in days, times ms per day).
  const bad = `ABS(off_days) * CAST(${MS_PER_DAY} AS DOUBLE) > CAST(${tol} AS DOUBLE)`;
  const [c] = await engine.query(`SELECT COUNT(DISTINCT creator_id) AS creators, COUNT(*) AS n,
    SUM(CASE WHEN ${bad} THEN 1 ELSE 0 END) AS bad FROM pit_age`);
  const ex = await engine.query(`SELECT row_idx, video_id, creator_id, account_age_days, off_days FROM pit_age
    WHERE ${bad} ORDER BY creator_first, k LIMIT ${opts.maxExamples}`);
  const rows = Number(c.n), violations = Number(c.bad ?? 0);
  return {
    name: 'account_age_days', creatorsChecked: Number(c.creators), rowsChecked: rows, violations,
    examples: ex.map((r) => ({ row: Number(r.row_idx), videoId: String(r.video_id), creatorId: String(r.creator_id),
      detail: `account_age_days=${Number(r.account_age_days)} implies an account created ${Number(r.off_days).toFixed(1)} days away from the creator's other uploads` })),
    pass: violations <= opts.tolerance * Math.max(rows, 1),
  };
}

export async function pointInTimeSql(engine: SqlEngine, options: PitOptions = {}, view = 'videos'): Promise<PitReport> {
  const opts: Required<PitOptions> = { ageToleranceDays: 1.01, tolerance: 0, maxExamples: 5, ...options };
  const checks = [await strikesSql(engine, view, opts), await ageSql(engine, view, opts)];
  return { pass: checks.every((c) => c.pass), checks };
}
