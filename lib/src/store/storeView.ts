/**
 * The portable `videos` view over a dataset's Parquet store (a file, a folder of parts, or a
 * week-partitioned folder). This is the only engine-specific SQL in the store jobs: it maps the
 * contract's columns to plain-typed columns every job uses, so the jobs themselves are plain SQL that
 * Spark SQL also runs (there the view is `spark.read.parquet(...)` with the same expressions).
 *
 * Columns: row_idx (0-based row in the order the TypeScript reader reads the parts), video_id,
 * creator_id, upload_ms (epoch ms), harmful, weight, account_age_days, prior_strikes (DOUBLE, NULL =
 * missing), has_audio, has_transcript (0/1). A column the files lack takes the dataset contract's
 * absent value (creator_id = video_id, weight 1, NULL metadata, no audio, no transcript).
 */
import { resolveVideosPath, partsToRead } from '../data/parquet.js';
import type { SqlEngine } from './sqlEngine.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface StoreView {
  /** The Parquet files behind the view (fewer than the dataset's when a window pruned partitions). */
  files: string[];
  rows: number;
}

/**
 * Create view `name` (default `videos`) over the dataset at `path`. With `window`, only the week
 * partitions overlapping [fromMs, toMs) are opened and rows outside the range are filtered out.
 */
export async function createStoreView(
  engine: SqlEngine, path: string, opts: { name?: string; window?: { fromMs: number; toMs: number } } = {},
): Promise<StoreView> {
  const name = opts.name ?? 'videos';
  const root = resolveVideosPath(path);
  const files = partsToRead(root, { window: opts.window });
  const src = `read_parquet([${files.map(lit).join(', ')}], union_by_name = true, filename = true, file_row_number = true, hive_partitioning = false)`;
  const have = new Set((await engine.query(`DESCRIBE SELECT * FROM ${src}`)).map((r) => String(r.column_name)));
  const or = (col: string, expr: string, absent: string) => (have.has(col) ? expr : absent);
  const where = opts.window ? `WHERE upload_ms >= ${opts.window.fromMs} AND upload_ms < ${opts.window.toMs}` : '';
  await engine.run(`CREATE OR REPLACE VIEW ${name} AS SELECT * FROM (
    SELECT
      CAST(ROW_NUMBER() OVER (ORDER BY filename, file_row_number) - 1 AS BIGINT) AS row_idx,
      video_id,
      ${or('creator_id', 'creator_id', 'video_id')} AS creator_id,
      ${or('upload_ts', 'epoch_ms(upload_ts)', 'CAST(NULL AS BIGINT)')} AS upload_ms,
      CAST(harmful AS INTEGER) AS harmful,
      ${or('weight', 'CAST(weight AS DOUBLE)', 'CAST(1 AS DOUBLE)')} AS weight,
      ${or('account_age_days', 'CAST(account_age_days AS DOUBLE)', 'CAST(NULL AS DOUBLE)')} AS account_age_days,
      ${or('prior_strikes', 'CAST(prior_strikes AS DOUBLE)', 'CAST(NULL AS DOUBLE)')} AS prior_strikes,
      ${or('audio_emb', 'CASE WHEN audio_emb IS NULL THEN 0 ELSE 1 END', '0')} AS has_audio,
      ${or('transcript', "CASE WHEN transcript IS NULL OR transcript = '' THEN 0 ELSE 1 END", '0')} AS has_transcript
    FROM ${src}
  ) ${where}`);
  const rows = Number((await engine.query(`SELECT COUNT(*) AS n FROM ${name}`))[0].n);
  return { files, rows };
}
