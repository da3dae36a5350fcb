/**
 * What every notebook opens: the experiment config of the chosen preset, its dataset and its latest
 * complete run folder. A notebook kernel runs in notebooks/, so every relative path of a config
 * (data.path, runsDir) is resolved against the repository root instead of the kernel's cwd.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadConfig, type ExperimentConfig } from '../config.js';
import { ensureDataset, loadDataset, type LoadedDataset } from '../pipeline/dataset.js';
import { runExperiment } from '../pipeline/run.js';
import { listRuns, readRun, type RunData } from '../runs/runFolder.js';
import type { ManifestFile } from '../artifacts/manifest.js';
import { readRunFile } from '../artifacts/runFiles.js';
import type { PolicyFile } from '../artifacts/policy.js';
import { readSavedReportInput } from '../report/savedInput.js';
import type { MetricsFile } from '../runs/metricsFile.js';
import { readSplitParquet } from '../split/io.js';
import type { SplitAssignment } from '../split/types.js';
import type { ReportInput } from '../report/types.js';
import type { Policy } from '../policy/types.js';
import { VigilError } from '../util/errors.js';
import type { VideoTable } from '../data/table.js';
import { applyRecipe, resolveTrainConfig, type Recipe, type ResolvedTrainConfig } from '../model/recipe.js';
import { rowsOfSplit } from '../model/train.js';
import { alignSplit } from '../split/io.js';
import { TRAIN } from '../split/types.js';
import { info } from '../util/progress.js';

/** The folder holding the package.json named "vigil", found by walking up from `from`. */
export function repoRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vigil') return dir;
      } catch { /* an unreadable package.json is not the root: keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new VigilError(`no package.json named "vigil" above '${from}'`, { field: 'cwd' });
    dir = up;
  }
}

/** The preset the notebooks run on: env VIGIL_PRESET, else `default`. */
export function notebookPreset(env: NodeJS.ProcessEnv = process.env): string {
  const p = (env.VIGIL_PRESET ?? '').trim() || 'default';
  if (!/^[A-Za-z0-9_-]+$/.test(p)) throw new VigilError(`VIGIL_PRESET '${p}' is not a config name`, { field: 'VIGIL_PRESET' });
  return p;
}

/**
 * `experiments/<preset>.json` with data.path and runsDir made absolute against the repository
 * root; env VIGIL_RUNS_DIR (when set) replaces runsDir so a notebook can read runs made elsewhere.
 */
export function notebookConfig(preset = notebookPreset(), root = repoRoot(), env: NodeJS.ProcessEnv = process.env): ExperimentConfig {
  const cfg = loadConfig(join(root, 'experiments', `${preset}.json`));
  const abs = (p: string) => (isAbsolute(p) ? p : join(root, p));
  const runsDir = env.VIGIL_RUNS_DIR ? abs(env.VIGIL_RUNS_DIR) : abs(cfg.runsDir);
  return { ...cfg, runsDir, data: { ...cfg.data, path: abs(cfg.data.path) } };
}

/** The config's dataset (simulated first when missing and the config names a preset). */
export async function openDataset(cfg: ExperimentConfig = notebookConfig()): Promise<LoadedDataset> {
  return loadDataset(await ensureDataset(cfg.data));
}

export interface NotebookRun {
  id: string;
  dir: string;
  manifest: ManifestFile;
  metrics: MetricsFile;
  policy: Policy;
  reportInput: ReportInput;
  split: SplitAssignment;
}

/** The newest complete run of this config name under cfg.runsDir, or null. */
export function latestRunDir(cfg: ExperimentConfig): string | null {
  const runs = listRuns(cfg.runsDir).filter((r) => r.configName === cfg.name);
  return runs.length ? runs[runs.length - 1].dir : null;
}

/**
 * The latest complete run of the config, running the whole pipeline once when there is none (later
 * notebooks then reuse that folder instead of training again).
 */
export async function openRun(cfg: ExperimentConfig = notebookConfig()): Promise<NotebookRun> {
  let dir = latestRunDir(cfg);
  if (!dir) {
    info(`no complete '${cfg.name}' run under ${cfg.runsDir}: running the pipeline once`);
    dir = (await runExperiment(cfg)).runDir;
  }
  const run = readRun(dir);
  const need = (f: string) => {
    const p = join(run.dir, f);
    if (!existsSync(p)) throw new VigilError(`run folder '${run.dir}' has no ${f}`, { field: f });
    return p;
  };
  return {
    id: run.id,
    dir: run.dir,
    manifest: run.manifest,
    metrics: run.metrics,
    policy: readStagePolicy(run.dir),
    reportInput: readReportInput(run.dir),
    split: await readSplitParquet(need('split.parquet')),
  };
}

/**
 * policy.json as the policy stage writes it. The file schema (artifacts/policy.ts) requires only the
 * thresholds, which is all a serving bundle needs; the notebooks read the whole choice, so its
 * sections must be there too.
 */
function readStagePolicy(dir: string): Policy {
  const p = readRunFile(dir, 'policy.json');
  if (!hasStageSections(p)) {
    throw new VigilError(`${join(dir, 'policy.json')}: expected the policy stage's sections (version, rule, constraints, achieved, constraint_status, feasible, binding, per_category, category_recall, support)`, { field: 'policy.json' });
  }
  return p;
}

function hasStageSections(p: PolicyFile): p is PolicyFile & Policy {
  return typeof p.version === 'string' && typeof p.rule === 'string' && p.space === 'calibrated_probability' && typeof p.block_enabled === 'boolean'
    && p.constraints !== undefined && p.achieved !== undefined && p.constraint_status !== undefined && typeof p.feasible === 'boolean'
    && Array.isArray(p.binding) && p.compromise !== undefined && p.per_category !== undefined && p.category_recall !== undefined
    && p.support !== undefined && p.bootstrap !== undefined;
}

/** report-input.json (report/savedInput.ts); the notebooks need it. */
function readReportInput(dir: string): ReportInput {
  const r = readSavedReportInput(dir);
  if (!r) throw new VigilError(`run folder '${dir}' has no report-input.json`, { field: 'report-input.json' });
  return r;
}

/**
 * The latest complete run of another experiment config (an ablation such as `mean-pooling` or
 * `no-noise`, read from the same runs folder), or null when there is none. Never trains: ablations
 * are run deliberately (`vigil run experiments/<name>.json`), not as a side effect of a notebook.
 */
export function openCompanionRun(name: string, cfg: ExperimentConfig = notebookConfig()): RunData | null {
  const dir = latestRunDir({ ...cfg, name });
  return dir ? readRun(dir) : null;
}

/**
 * The train config a run trained with: the config's explicit values plus its manifest's recipe. A run
 * written before recipes were recorded gets the recipe derived again from its own training rows
 * (the same rows give the same recipe).
 */
export function runTrainConfig(run: NotebookRun, table: VideoTable, cfg: ExperimentConfig = notebookConfig()): { train: ResolvedTrainConfig; recipe: Recipe } {
  const recorded = run.manifest.recipe;
  if (recorded) return { train: applyRecipe(cfg.train, recorded), recipe: recorded };
  return resolveTrainConfig(table, rowsOfSplit(alignSplit(run.split, table.videoId), TRAIN), cfg.train);
}
