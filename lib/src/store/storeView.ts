/**
 * The portable `videos` view over a dataset's Parquet store (a file, a folder of parts, or a
 * week-partitioned folder). This is the only engine-specific SQL in the store jobs: it maps the
 * contract's columns to plain-typed columns every job uses, so the jobs themselves are plain SQL that
 * Spark SQL also runs (there the view is `spark.read.parquet(...)` with the same expressions).
 *
 * Columns: row_idx (0-based row in the order the TypeScript reader reads the parts), video_id,
 * creator_id, upload_ms (epoch ms), harmful, weight, the numeric metadata duration_s,
 * account_age_days, prior_strikes, upload_hour, asr_confidence (DOUBLE, NULL = missing), country and
 * device (VARCHAR, 'unknown' when null), language (VARCHAR, NULL = none), policy_tag (the first policy
 * tag, NULL when there is none), frame_count, audio_segments (list lengths; audio_segments NULL
 * without audio), has_audio, has_transcript (0/1). A column the files lack takes the dataset
 * contract's absent value (creator_id = video_id, weight 1, NULL metadata, 'unknown' country/device,
 * no frames, no audio, no transcript, no tags).
 *
 * Numbers are rounded to float32 and non-finite ones read as NULL because that is what the TypeScript
 * loader holds (Float32Array columns, NaN = missing): a job then bins and sums exactly the values the
 * in-memory code sees, also on a store written with float64 columns. frame_count and audio_segments
 * count the time lists (frame_ts, audio_ts), which the loader checks against the embedding lists, so
 * a job never reads the embeddings themselves.
 */
import { resolveVideosPath, partsToRead } from '../data/parquet.js';
import type { SqlEngine } from './sqlEngine.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The largest finite float32. */
const F32_MAX = '3.4028234663852886e38';

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
  // float32 like the loader's typed arrays; beyond float32's range the loader holds ±Infinity (missing).
  const f32 = (x: string) => `CASE WHEN isfinite(CAST(${x} AS DOUBLE)) AND ABS(CAST(${x} AS DOUBLE)) <= ${F32_MAX} THEN CAST(CAST(${x} AS FLOAT) AS DOUBLE) END`;
  const num = (col: string) => or(col, f32(col), 'CAST(NULL AS DOUBLE)');
  const where = opts.window ? `WHERE upload_ms >= ${opts.window.fromMs} AND upload_ms < ${opts.window.toMs}` : '';
  await engine.run(`CREATE OR REPLACE VIEW ${name} AS SELECT * FROM (
    SELECT
      CAST(ROW_NUMBER() OVER (ORDER BY filename, file_row_number) - 1 AS BIGINT) AS row_idx,
      video_id,
      ${or('creator_id', 'creator_id', 'video_id')} AS creator_id,
      ${or('upload_ts', 'epoch_ms(upload_ts)', 'CAST(NULL AS BIGINT)')} AS upload_ms,
      CAST(harmful AS INTEGER) AS harmful,
      ${or('weight', 'CAST(CAST(weight AS FLOAT) AS DOUBLE)', 'CAST(1 AS DOUBLE)')} AS weight,
      ${num('duration_s')} AS duration_s,
      ${num('account_age_days')} AS account_age_days,
      ${num('prior_strikes')} AS prior_strikes,
      ${num('upload_hour')} AS upload_hour,
      ${num('asr_confidence')} AS asr_confidence,
      ${or('country', "COALESCE(country, 'unknown')", "'unknown'")} AS country,
      ${or('device', "COALESCE(device, 'unknown')", "'unknown'")} AS device,
      ${or('language', 'language', 'CAST(NULL AS VARCHAR)')} AS language,
      ${or('policy_tags', 'policy_tags[1]', 'CAST(NULL AS VARCHAR)')} AS policy_tag,
      ${or('frame_ts', 'CAST(COALESCE(len(frame_ts), 0) AS BIGINT)', 'CAST(0 AS BIGINT)')} AS frame_count,
      ${or('audio_ts', 'CAST(len(audio_ts) AS BIGINT)', 'CAST(NULL AS BIGINT)')} AS audio_segments,
      ${or('audio_emb', 'CASE WHEN audio_emb IS NULL THEN 0 ELSE 1 END', '0')} AS has_audio,
      ${or('transcript', "CASE WHEN transcript IS NULL OR transcript = '' THEN 0 ELSE 1 END", '0')} AS has_transcript
    FROM ${src}
  ) ${where}`);
  const rows = Number((await engine.query(`SELECT COUNT(*) AS n FROM ${name}`))[0].n);
  return { files, rows };
}
