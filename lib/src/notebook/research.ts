/**
 * The research loop behind notebook 09: change one thing in a config, train that variant on a table
 * already in memory (with a live progress line), read it on the calibration window, compare it with a
 * reference run through the same paired creator bootstrap and gate as `vigil compare`, and keep it as
 * a versioned run folder written by the same writer as `vigil run`.
 */
import { readFileSync } from 'node:fs';
import { readRunFile } from '../artifacts/runFiles.js';
import { join } from 'node:path';
import { parseConfig, type ExperimentConfig } from '../config.js';
import type { LoadedDataset } from '../pipeline/dataset.js';
import { fitPipeline, type FittedPipeline } from '../pipeline/fit.js';
import { evaluateFitOnTest } from '../pipeline/evaluateFit.js';
import { writeRun, type RunOutcome } from '../pipeline/run.js';
import { stageTimer } from '../pipeline/stages.js';
import { preprocessorFromJSON } from '../features/preprocess.js';
import { evaluate, type MetricBlock } from '../eval/evaluate.js';
import { compareRuns, type ComparableRun, type Comparison } from '../runs/compare.js';
import type { GateConfig } from '../runs/config.js';
import { parseMetricsFile } from '../runs/metricsFile.js';
import { buildBootstrapFile } from '../runs/bootstrapFile.js';
import type { RunData } from '../runs/runFolder.js';
import { writeReportsIndex, reportsDirFor } from '../report/index.js';
import { VigilError } from '../util/errors.js';
import type { SplitAssignment } from '../split/types.js';
import { CALIB } from '../split/types.js';
import { alignSplit } from '../split/io.js';
import { rowsOfSplit } from '../model/train.js';
import { scoreWithOnnx } from '../serve/scoreRows.js';

/** A nested partial config: only the values that change. */
export type ConfigOverride = { [key: string]: unknown };

export interface ConfigChange { path: string; from: unknown; to: unknown }

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `base` with `override` merged in (objects merged key by key, anything else replaced), validated as
 * an experiment config. A key the config does not have is refused with its path, so a typo
 * (`model.pooing`) fails instead of silently training the reference again.
 */
export function applyConfigOverride(base: ExperimentConfig, override: ConfigOverride, name?: string): ExperimentConfig {
  const merge = (b: unknown, o: unknown, path: string): unknown => {
    if (!isPlain(o)) return o;
    if (!isPlain(b)) throw new VigilError(`override '${path}': the config holds a ${Array.isArray(b) ? 'list' : typeof b} here, not an object`, { field: path });
    const out: Record<string, unknown> = { ...b };
    for (const [k, v] of Object.entries(o)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b)) throw new VigilError(`override '${p}': no such config key (known here: ${Object.keys(b).join(', ')})`, { field: p });
      out[k] = merge(b[k], v, p);
    }
    return out;
  };
  const merged = merge(base, override, '') as Record<string, unknown>;
  return parseConfig({ ...merged, name: name ?? base.name }, 'config override');
}

/** The leaves where two configs differ (`model.pooling: attention → mean`), the name left out. */
export function configChanges(a: ExperimentConfig, b: ExperimentConfig): ConfigChange[] {
  const out: ConfigChange[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (isPlain(x) && isPlain(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k], y[k], path ? `${path}.${k}` : k);
    } else if (JSON.stringify(x) !== JSON.stringify(y) && path !== 'name' && path !== 'description') {
      out.push({ path, from: x, to: y });
    }
  };
  walk(a, b, '');
  return out;
}

export interface VariantOptions {
  /** Config name of the variant (its run folder's name); default `<base>-variant`. */
  name?: string;
  /** A run of the base config: its preprocessor.json is reused when the variant's split matches it. */
  referenceDir?: string;
  /** Every progress line (stage start/end, one per epoch), for a live display. */
  onProgress?: (line: string) => void;
}

export interface Variant {
  name: string;
  config: ExperimentConfig;
  changes: ConfigChange[];
  fit: FittedPipeline;
  /** Wall time of the fit (split → policy). */
  seconds: number;
}

/** Train `base` + `override` on the dataset in memory: the whole fitted pipeline, nothing written. */
export async function trainVariant(ds: LoadedDataset, base: ExperimentConfig, override: ConfigOverride, opts: VariantOptions = {}): Promise<Variant> {
  const name = opts.name ?? `${base.name}-variant`;
  const config = applyConfigOverride(base, override, name);
  const changes = configChanges(base, config);
  let reuse: { fitted: ReturnType<typeof preprocessorFromJSON>; splitFingerprint: string | null } | undefined;
  // Same data, split and features → the reference's fitted preprocessing is what fitting again gives.
  if (opts.referenceDir && !changes.some((c) => /^(data|split|features)\./.test(c.path))) {
    const manifest = readRunFile(opts.referenceDir, 'manifest.json');
    reuse = {
      fitted: preprocessorFromJSON(JSON.parse(readFileSync(join(opts.referenceDir, 'preprocessor.json'), 'utf8'))),
      splitFingerprint: manifest.split?.fingerprint ?? null,
    };
  }
  const onLine = opts.onProgress ?? (() => undefined);
  const t0 = Date.now();
  const fit = await fitPipeline(ds.table, config, {
    timer: stageTimer(onLine), truth: ds.truth, reuse,
    onEpoch: (rec, epochs) => onLine(`train: epoch ${rec.epoch}/${epochs}  loss ${rec.loss.toFixed(4)}  calib AP ${rec.calibAp.toFixed(4)}  ${Math.round(rec.rowsPerSec)} rows/s`),
  });
  const seconds = (Date.now() - t0) / 1000;
  onLine(`done in ${seconds.toFixed(1)} s${fit.reusedPreprocessor ? ' (preprocessing reused from the reference run)' : ''}`);
  return { name, config, changes, fit, seconds };
}

/** The variant on the calibration window (the window a researcher may look at while iterating). */
export function evaluateOnCalibration(ds: LoadedDataset, v: Variant): MetricBlock {
  const { table } = ds;
  const rows = v.fit.rows.calib;
  return evaluate(v.fit.scores.calib.p, rows.map((r) => table.harmful[r]), rows.map((r) => table.weight[r]), rows.map((r) => table.creatorId[r]), v.config.eval);
}

/** The variant as the gate reads a run: metrics, per-resample draws and policy, still in memory. */
export function variantAsRun(ds: LoadedDataset, v: Variant): ComparableRun {
  const { table } = ds;
  const { evalTest } = evaluateFitOnTest(table, v.fit);
  const rows = v.fit.rows.test;
  // Round-tripped through JSON so the gate reads exactly what metrics.json would hold.
  const metrics = parseMetricsFile(JSON.parse(JSON.stringify({ test: evalTest.test, slices: evalTest.slices })), `variant ${v.name}`);
  const bootstrap = buildBootstrapFile(evalTest.draws, {
    testVideoIds: rows.map((r) => table.videoId[r]), groupIds: rows.map((r) => table.creatorId[r]),
    seed: v.config.eval.seed, resamples: v.config.eval.bootstrap,
  });
  const p = v.fit.policy;
  return { id: `${v.name} (not saved)`, metrics, bootstrap, policy: { block_threshold: p.block_threshold, queue_threshold: p.queue_threshold, feasible: p.feasible } };
}

/**
 * `vigil compare REFERENCE VARIANT` without writing the variant first: paired bootstrap intervals
 * when both resampled the same test creators, the same promotion gate.
 */
export function compareWithRun(reference: RunData, ds: LoadedDataset, v: Variant, gate: Partial<GateConfig> = {}): Comparison {
  return compareRuns(reference, variantAsRun(ds, v), gate);
}

/**
 * Keep the variant: a versioned run folder from the `vigil run` writer (evaluation, export, report)
 * under the config's runsDir, and the reports index rewritten so the run is listed beside the others.
 */
export async function saveVariant(ds: LoadedDataset, v: Variant, opts: { runsDir?: string; reportsDir?: string } = {}): Promise<RunOutcome & { indexPath: string }> {
  const runsDir = opts.runsDir ?? v.config.runsDir;
  const out = await writeRun(ds, v.fit, { runsDir });
  const reportsDir = opts.reportsDir ?? reportsDirFor(runsDir);
  writeReportsIndex(runsDir, reportsDir);
  return { ...out, indexPath: join(reportsDir, 'index.html') };
}

/**
 * A saved run's exported model on the calibration window of the dataset (scored through its
 * model.onnx): the reference numbers a variant's `evaluateOnCalibration` is read against.
 */
export async function runOnCalibration(run: { dir: string; split: SplitAssignment }, ds: LoadedDataset, cfg: ExperimentConfig): Promise<MetricBlock> {
  const { table } = ds;
  const rows = rowsOfSplit(alignSplit(run.split, table.videoId), CALIB);
  const { risk } = await scoreWithOnnx(run.dir, table, rows);
  return evaluate(risk, rows.map((r) => table.harmful[r]), rows.map((r) => table.weight[r]), rows.map((r) => table.creatorId[r]), cfg.eval);
}
