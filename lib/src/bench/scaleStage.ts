/**
 * One stage of the scale benchmark, run in its own process so that its peak resident set is its own
 * (`process.resourceUsage().maxRSS` only ever grows). Prints one JSON line:
 * `{ stage, rows, seconds, peakRssGiB, ... }`.
 *
 *   node scaleStage.js STAGE DATASET_DIR OPTIONS_JSON
 */
import { readVideoTable } from '../data/parquet.js';
import { simulateToDir } from '../simulate/write.js';
import { getPreset } from '../simulate/presets.js';
import { splitConfigSchema } from '../split/config.js';
import { makeSplit } from '../split/split.js';
import { SqlEngine } from '../store/sqlEngine.js';
import { createStoreView } from '../store/storeView.js';
import { pointInTimeSql } from '../store/jobs/pointInTime.js';
import { temporalPurgeSql } from '../store/jobs/temporalPurge.js';
import { readSampled } from '../store/sampleOnRead.js';
import { VigilError } from '../util/errors.js';

export const SCALE_STAGES = ['simulate', 'load', 'split', 'sqlAudit', 'streamSample'] as const;
export type ScaleStage = (typeof SCALE_STAGES)[number];

export interface ScaleStageOptions {
  /** simulate: virtual uploads (stored rows ≈ this × the preset's storage share). */
  uploads?: number;
  seed?: number;
  /** streamSample: rows decoded at a time, and the negative keep rate applied while reading. */
  batchRows?: number;
  negativeKeepRate?: number;
  /** sqlAudit: engine threads. */
  threads?: number;
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
      const preset = { ...getPreset('tiny'), nVirtual: o.uploads ?? 40_000 };
      const r = await simulateToDir(preset, o.seed ?? 1, dir, undefined, undefined, { partitionBy: 'week' });
      rows = r.sim.table.n;
      detail = { generationS: r.generationS, writeS: r.writeS };
      break;
    }
    case 'load': rows = (await readVideoTable(dir)).n; break;
    case 'split': {
      const t = await readVideoTable(dir);
      const loaded = performance.now();
      makeSplit(t, splitConfigSchema.parse({}), o.seed ?? 1);
      rows = t.n;
      // The split alone, without the load it needs (the load is its own stage).
      detail = { loadS: (loaded - t0) / 1000, splitOnlyS: (performance.now() - loaded) / 1000 };
      break;
    }
    case 'sqlAudit': {
      const e = await SqlEngine.open({ threads: o.threads ?? 1 });
      try {
        const v = await createStoreView(e, dir);
        // Creator groups computed in SQL too: the purge then needs nothing from memory.
        await e.run('CREATE OR REPLACE TABLE row_groups AS SELECT row_idx, DENSE_RANK() OVER (ORDER BY creator_id) AS grp FROM videos');
        const pit = await pointInTimeSql(e);
        const purge = await temporalPurgeSql(e, splitConfigSchema.parse({}));
        rows = v.rows;
        detail = { pitRowsChecked: pit.checks[0].rowsChecked, purgedByGroup: purge.counts.groupFromTrain + purge.counts.groupFromCalib };
      } finally { e.close(); }
      break;
    }
    case 'streamSample': {
      const s = await readSampled(dir, { batchRows: o.batchRows ?? 8192, negativeKeepRate: o.negativeKeepRate ?? 0.1, seed: o.seed ?? 1 }, () => {});
      rows = s.rowsRead;
      detail = { rowsKept: s.rowsKept, batches: s.batches };
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
