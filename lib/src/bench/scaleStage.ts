/**
 * One stage of the scale benchmark, run in its own process so that its peak resident set is its own
 * (`process.resourceUsage().maxRSS` only ever grows). Prints one JSON line:
 * `{ stage, rows, seconds, peakRssGiB, ... }`.
 *
 *   node scaleStage.js STAGE DATASET_DIR OPTIONS_JSON
 */
import { readVideoTable, resolveVideosPath } from '../data/parquet.js';
import { parquetParts } from '../data/arrow.js';
import { buildReference } from '../monitor/drift.js';
import { driftTablesSql } from '../store/jobs/driftTables.js';
import { simulateShardsToDir } from '../simulate/shards.js';
import { getPreset } from '../simulate/presets.js';
import { splitConfigSchema } from '../split/config.js';
import { makeSplit } from '../split/split.js';
import { SqlEngine } from '../store/sqlEngine.js';
import { createStoreView } from '../store/storeView.js';
import { pointInTimeSql } from '../store/jobs/pointInTime.js';
import { temporalPurgeSql } from '../store/jobs/temporalPurge.js';
import { readSampled } from '../store/sampleOnRead.js';
import { readSplitTable } from '../store/splitTable.js';
import { VigilError } from '../util/errors.js';
import { readSplitParquet, writeSplitParquet } from '../split/io.js';
import { featuresConfigSchema } from '../features/config.js';
import { modelConfigSchema, trainConfigSchema } from '../model/config.js';
import { calibrationConfigSchema } from '../calibrate/config.js';
import { evalConfigSchema } from '../eval/config.js';
import { preprocessorFromJSON } from '../features/preprocess.js';
import type { FusionWeights } from '../model/weights.js';
import type { Calibrator } from '../calibrate/types.js';
import { calibrateAndEvaluate, exportStreamed, scoreStreamed, trainStreamed } from '../pipeline/streamedModel.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCALE_STAGES = ['simulate', 'load', 'split', 'sqlAudit', 'streamSample', 'train', 'evaluate', 'export'] as const;
export type ScaleStage = (typeof SCALE_STAGES)[number];

export interface ScaleStageOptions {
  /** simulate: virtual uploads (stored rows ≈ this × the preset's storage share). */
  uploads?: number;
  /** simulate: most virtual uploads simulated at once (one shard); bounds the simulation's memory. */
  shardUploads?: number;
  seed?: number;
  /** streamSample: rows decoded at a time, and the negative keep rate applied while reading. */
  batchRows?: number;
  negativeKeepRate?: number;
  /** sqlAudit: engine threads, and the engine's memory limit (MiB) past which it spills to disk. */
  threads?: number;
  sqlMemoryMb?: number;
  /**
   * simulate: rows per Parquet part (one row group each). Readers decode a row group at a time, so this,
   * not the dataset, bounds the streamed stages' memory; Spark's writers cap row groups the same way.
   */
  partRows?: number;
  /** train: fixed epochs, and the cap on training rows held (the training stage's memory bound). */
  epochs?: number;
  maxTrainRows?: number;
  /**
   * train: rows per gradient step. Fixed, because training's working set is batch × longest video's
   * frames × width; the recipe's automatic size grows with the training rows (up to 1,024).
   */
  trainBatchSize?: number;
  /** evaluate: bootstrap resamples of the test metrics. */
  bootstrap?: number;
}

export interface ScaleStageResult {
  stage: ScaleStage;
  rows: number;
  seconds: number;
  peakRssGiB: number;
  detail?: Record<string, number>;
}

const gib = (kb: number) => Math.round((kb * 1024 / 2 ** 30) * 1000) / 1000;

export async function runScaleStage(stage: ScaleStage, dir: string, o: ScaleStageOptions): Promise<ScaleStageResult> {
  const t0 = performance.now();
  let rows = 0;
  let detail: Record<string, number> | undefined;
  switch (stage) {
    case 'simulate': {
      // Shard by shard, so the simulator holds one shard's world (about 8 KiB per stored row), not the dataset's.
      const uploads = o.uploads ?? 40_000;
      const shards = Math.max(1, Math.ceil(uploads / (o.shardUploads ?? 1_000_000)));
      const r = await simulateShardsToDir({ ...getPreset('tiny'), nVirtual: uploads }, o.seed ?? 1, dir, { shards, partitionBy: 'week', partRows: o.partRows ?? 16_384 });
      rows = r.rows;
      detail = { generationS: r.generationS, writeS: r.writeS, shards };
      break;
    }
    case 'load': rows = (await readVideoTable(dir)).n; break;
    case 'split': {
      // The split reads only what it uses (one pooled frame per video), batch by batch: the same split
      // as from the full table at a fraction of its memory.
      const cfg = splitConfigSchema.parse({});
      const t = await readSplitTable(dir, { batchRows: o.batchRows ?? 8192, nearDup: cfg.nearDup });
      const loaded = performance.now();
      const split = makeSplit(t, cfg, o.seed ?? 1);
      rows = t.n;
      // The model stages read the assignment, aligned with the store's row order.
      writeSplitParquet(join(dir, 'split.parquet'), split.assignment);
      // The split alone, without the load it needs (the load is its own stage).
      detail = { loadS: (loaded - t0) / 1000, splitOnlyS: (performance.now() - loaded) / 1000 };
      break;
    }
    case 'sqlAudit': {
      // A memory limit makes the engine's peak a setting, not a share of the machine: past it, it spills.
      const e = await SqlEngine.open({ threads: o.threads ?? 1, memoryLimitMb: o.sqlMemoryMb ?? 1024, spillDir: join(dir, '.sql-spill') });
      try {
        const v = await createStoreView(e, dir);
        // Creator groups computed in SQL too: the purge then needs nothing from memory.
        await e.run('CREATE OR REPLACE TABLE row_groups AS SELECT row_idx, DENSE_RANK() OVER (ORDER BY creator_id) AS grp FROM videos');
        const pit = await pointInTimeSql(e);
        const purge = await temporalPurgeSql(e, splitConfigSchema.parse({}));
        // Weekly drift tables over the whole store, against bins fitted on its first part (one row group).
        const sample = await readVideoTable(parquetParts(resolveVideosPath(dir))[0]);
        const ref = buildReference(sample, Array.from({ length: sample.n }, (_, i) => i));
        const drift = await driftTablesSql(e, ref);
        rows = v.rows;
        detail = { pitRowsChecked: pit.checks[0].rowsChecked, purgedByGroup: purge.counts.groupFromTrain + purge.counts.groupFromCalib,
          driftWeeks: drift.weeks.length, driftFeatures: drift.weeks[0]?.features.length ?? 0 };
      } finally { e.close(); }
      break;
    }
    case 'streamSample': {
      const s = await readSampled(dir, { batchRows: o.batchRows ?? 8192, negativeKeepRate: o.negativeKeepRate ?? 0.1, seed: o.seed ?? 1 }, () => {});
      rows = s.rowsRead;
      detail = { rowsKept: s.rowsKept, batches: s.batches };
      break;
    }
    case 'train': {
      const split = await readSplitParquet(join(dir, 'split.parquet'));
      const r = await trainStreamed(dir, split, {
        features: featuresConfigSchema.parse({}), model: modelConfigSchema.parse({}),
        // Fixed epochs, no label-noise pass: the stage measures reading + training throughput.
        train: trainConfigSchema.parse({ epochs: o.epochs ?? 2, batchSize: o.trainBatchSize ?? 256, noise: 'none' }),
      }, { batchRows: o.batchRows ?? 8192, negativeKeepRate: o.negativeKeepRate ?? 0.1, maxTrainRows: o.maxTrainRows ?? 400_000, seed: o.seed ?? 1 });
      const out = join(dir, 'streamed');
      mkdirSync(out, { recursive: true });
      writeJsonAtomic(join(out, 'weights.json'), r.train.weights);
      writeJsonAtomic(join(out, 'preprocessor.json'), r.fitted);
      writeJsonAtomic(join(out, 'train.json'), { negativeKeepRate: r.train.negativeKeepRate, heldRows: r.heldRows, history: r.train.history });
      rows = r.sample.rowsRead;
      detail = { heldRows: r.heldRows, epochs: r.train.history.length, trainRowsPerSec: r.train.rowsPerSec, batchSize: r.recipe.entries.find((e) => e.field === 'batchSize')?.value ?? NaN };
      break;
    }
    case 'evaluate': {
      const split = await readSplitParquet(join(dir, 'split.parquet'));
      const out = join(dir, 'streamed');
      const weights = JSON.parse(readFileSync(join(out, 'weights.json'), 'utf8')) as FusionWeights;
      const fitted = preprocessorFromJSON(JSON.parse(readFileSync(join(out, 'preprocessor.json'), 'utf8')));
      const { negativeKeepRate } = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { negativeKeepRate: number };
      const scored = await scoreStreamed(dir, split, weights, fitted, { batchRows: o.batchRows ?? 8192 });
      const ev = calibrateAndEvaluate(scored, negativeKeepRate, {
        calibration: calibrationConfigSchema.parse({}), eval: evalConfigSchema.parse({ bootstrap: o.bootstrap ?? 50 }),
      }, o.seed ?? 1);
      writeJsonAtomic(join(out, 'calibrator.json'), ev.calibrator);
      writeJsonAtomic(join(out, 'metrics.json'), { test: ev.test, slices: ev.slices, calibration: ev.calibration, rows: ev.rows });
      rows = split.split.length;
      detail = { scoredRows: scored.n, maxChunkRows: scored.maxChunkRows, ap: ev.test.ap.value ?? NaN };
      break;
    }
    case 'export': {
      const out = join(dir, 'streamed');
      const weights = JSON.parse(readFileSync(join(out, 'weights.json'), 'utf8')) as FusionWeights;
      const fitted = preprocessorFromJSON(JSON.parse(readFileSync(join(out, 'preprocessor.json'), 'utf8')));
      const calibrator = JSON.parse(readFileSync(join(out, 'calibrator.json'), 'utf8')) as Calibrator;
      const r = exportStreamed(join(out, 'bundle'), weights, calibrator, fitted, 'scale-bench');
      rows = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')).heldRows as number;
      detail = { onnxBytes: r.onnxBytes };
      break;
    }
    default: throw new VigilError(`scale stage: expected one of ${SCALE_STAGES.join(', ')}, got '${String(stage)}'`, { field: 'stage' });
  }
  return { stage, rows, seconds: (performance.now() - t0) / 1000, peakRssGiB: gib(process.resourceUsage().maxRSS), ...(detail ? { detail } : {}) };
}

if (require.main === module) {
  const [stage, dir, json] = process.argv.slice(2);
  runScaleStage(stage as ScaleStage, dir, JSON.parse(json ?? '{}') as ScaleStageOptions)
    .then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); })
    .catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
}
