/**
 * Per-split statistics (the `splits` block of the split audit) as one SQL aggregate over the store
 * joined with the assignment table `row_split(row_idx, split)`. Same definitions as split/audit.ts.
 */
import type { SqlEngine } from '../sqlEngine.js';
import type { SplitStats } from '../../split/audit.js';
import { MS_PER_DAY, MS_PER_WEEK } from '../../data/table.js';
import { SPLIT_NAMES, TRAIN, type SplitName } from '../../split/types.js';

export async function splitStatsSql(engine: SqlEngine, coldStartDays: number, view = 'videos'): Promise<Record<SplitName, SplitStats>> {
  const rows = await engine.query(`
    WITH s AS (SELECT v.*, r.split FROM ${view} v JOIN row_split r ON r.row_idx = v.row_idx),
    train_creators AS (SELECT DISTINCT creator_id FROM s WHERE split = ${TRAIN})
    SELECT s.split AS split, COUNT(*) AS n,
      SUM(CASE WHEN s.harmful = 1 THEN 1 ELSE 0 END) AS positives,
      SUM(s.weight) AS w,
      SUM(CASE WHEN s.harmful = 1 THEN s.weight ELSE 0 END) AS wp,
      MIN(s.upload_ms) AS lo, MAX(s.upload_ms) AS hi,
      COUNT(DISTINCT s.creator_id) AS creators,
      SUM(CASE WHEN t.creator_id IS NULL THEN 1 ELSE 0 END) AS new_creator,
      SUM(CASE WHEN s.account_age_days IS NULL OR s.account_age_days < ${coldStartDays} THEN 1 ELSE 0 END) AS cold,
      SUM(1 - s.has_audio) AS no_audio,
      SUM(1 - s.has_transcript) AS no_text,
      SUM(CASE WHEN s.account_age_days IS NULL OR s.prior_strikes IS NULL THEN 1 ELSE 0 END) AS no_meta
    FROM s LEFT JOIN train_creators t ON t.creator_id = s.creator_id
    GROUP BY s.split`);
  const out = {} as Record<SplitName, SplitStats>;
  const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
  SPLIT_NAMES.forEach((name, s) => {
    const r = rows.find((x) => Number(x.split) === s);
    const n = r ? Number(r.n) : 0;
    const share = (k: unknown) => (n > 0 ? Number(k) / n : 0);
    const lo = r?.lo === null || r?.lo === undefined ? NaN : Number(r.lo);
    const hi = r?.hi === null || r?.hi === undefined ? NaN : Number(r.hi);
    const w = r ? Number(r.w) : 0;
    out[name] = {
      rows: n, positives: r ? Number(r.positives) : 0, prevalence: w > 0 ? Number(r!.wp) / w : 0,
      firstDay: Number.isFinite(lo) ? dayOf(lo) : null, lastDay: Number.isFinite(hi) ? dayOf(hi) : null,
      weeks: n > 0 && Number.isFinite(lo) ? (Math.floor(hi / MS_PER_DAY) - Math.floor(lo / MS_PER_DAY) + 1) * MS_PER_DAY / MS_PER_WEEK : 0,
      creators: r ? Number(r.creators) : 0, newCreatorShare: share(r?.new_creator ?? 0), coldStartShare: share(r?.cold ?? 0),
      missing: { audio: share(r?.no_audio ?? 0), transcript: share(r?.no_text ?? 0), metadata: share(r?.no_meta ?? 0) },
    };
  });
  return out;
}
