import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import { parseCsv } from '../data/csv.js';
import { importToDataset, type ImportOptions } from '../data/import.js';
import { timeCoverage, type VideoTable } from '../data/table.js';
import { evaluateWithDraws, pointKey, type MetricValue } from '../eval/evaluate.js';
import type { Recipe } from '../model/recipe.js';
import { rowsOfSplit } from '../model/train.js';
import { scoreWithOnnx } from '../serve/scoreRows.js';
import { loadDataset } from '../pipeline/dataset.js';
import { runExperiment } from '../pipeline/run.js';
import type { ModelSelection } from '../pipeline/selectModel.js';
import { pairedDeltaCi } from '../runs/compare.js';
import { alignSplit, readSplitParquet } from '../split/io.js';
import { CALIB, TEST, TRAIN } from '../split/types.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { info } from '../util/progress.js';
import { peersDir, runPeer } from './peers.js';

/**
 * A real corpus in the benchmark: imported with `vigil import`, run through `vigil run` with the
 * default config (no flags, no tuning), and scored on its test rows by the exported ONNX model — the
 * model a user would serve. Text peers (scikit-learn TF-IDF + logistic regression, XGBoost on the same
 * TF-IDF) train on the same train rows, pick their setting on the same calibration rows and score the
 * same test rows. Intervals resample rows (the corpus has no creators); the paired difference uses the
 * same resamples for both models. The corpus's per-annotator votes measure what the label-noise
 * handling flags against real disagreement.
 */
export interface RealCorpusSpec {
  name: string;
  /** Path below the shared data folder. */
  file: string;
  import: ImportOptions;
  /** Votes for the harmful class and the number of annotators, per source row (for the noise audit). */
  votes: { harmful: string; count: string };
  reference: string;
}

export const DAVIDSON: RealCorpusSpec = {
  name: 'davidson-2017',
  file: 'davidson-2017/labeled_data.csv',
  import: { text: 'tweet', label: 'class', positive: ['0'] },
  votes: { harmful: 'hate_speech', count: 'count' },
  reference: 'Davidson et al. (ICWSM 2017): 24,783 tweets, harmful = the hate-speech class; ≥ 3 annotators each',
};

/** `../shared/data` beside the repository (VIGIL_SHARED_DATA overrides). */
export function sharedDataDir(repoRoot = process.cwd()): string {
  return process.env.VIGIL_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
}

export interface RealCorpusRow {
  model: string;
  kind: 'vigil' | 'peer';
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  ap: MetricValue | null;
  rocAuc: MetricValue | null;
  recallAt2Fpr: MetricValue | null;
  precisionTop1: MetricValue | null;
  /** Vigil's AP minus this model's AP, paired over the same row resamples (null for Vigil itself). */
  apDelta: MetricValue | null;
  trainSeconds: number | null;
  note?: string;
}

export interface NoiseVsVotes {
  /** Training rows flagged by confident learning, and how many of them annotators disagreed on. */
  flagged: number;
  flaggedContested: number;
  /** Share of contested rows among all training rows of the flagged rows' observed classes (the base rate). */
  baseContestedShare: number;
  /** Flagged rows whose label a majority-flip of one vote would change (the closest calls). */
  flaggedMinorityClose: number;
  trainRows: number;
  contestedTrainRows: number;
}

export type RealCorpusResult =
  | { status: 'skipped'; corpus: string; reason: string }
  | {
    status: 'ok'; corpus: string; reference: string;
    rows: { total: number; positives: number; train: number; calib: number; test: number; testPositives: number };
    splitMethod: string;
    rowsTable: RealCorpusRow[];
    recipe: Recipe;
    selection: Pick<ModelSelection, 'exported' | 'reason' | 'fusionBeatBestTower'>;
    /** Test AP with and without label-noise handling (the run's `fusion:no_noise` side-by-side model). */
    noiseAp: { withHandling: number | null; without: number | null };
    noise: NoiseVsVotes | null;
    runSeconds: number;
    bootstrap: { resamples: number; unit: 'row' };
  };

export interface RealCorpusOptions {
  cfg: ExperimentConfig;
  workDir: string;
  dataRoot?: string;
  spec?: RealCorpusSpec;
  python?: string;
  peers?: boolean;
  peerTimeoutMs?: number;
}

/** Paired interval of a − b over the same resamples; none when fewer than half the resamples are finite. */
export function pairedDelta(a: Float64Array, b: Float64Array, point: number): MetricValue {
  let finite = 0;
  for (let k = 0; k < a.length; k++) if (Number.isFinite(a[k] - b[k])) finite++;
  const value = Number.isFinite(point) ? point : null;
  // pairedDeltaCi takes the second argument minus the first.
  return { value, ci: value !== null && finite >= a.length / 2 ? pairedDeltaCi(Array.from(b), Array.from(a)) : null };
}

/** Per source row: how many annotators voted harmful, out of how many. */
function readVotes(csvPath: string, spec: RealCorpusSpec): { harmful: number; count: number }[] {
  const t = parseCsv(readFileSync(csvPath, 'utf8'), csvPath);
  const h = t.header.indexOf(spec.votes.harmful), c = t.header.indexOf(spec.votes.count);
  if (h < 0 || c < 0) return [];
  return t.rows.map((r) => ({ harmful: Number(r.fields[h]), count: Number(r.fields[c]) }));
}

/**
 * Confident learning's flags against the annotators: a row is contested when at least one annotator
 * voted against its (majority) label on the harmful question, and minority-close when one vote the
 * other way would flip that majority.
 */
export function noiseAgainstVotes(flaggedRows: readonly number[], trainRows: readonly number[], labels: ArrayLike<number>,
  votes: { harmful: number; count: number }[]): NoiseVsVotes {
  const contested = (r: number) => {
    const v = votes[r];
    const agree = labels[r] === 1 ? v.harmful : v.count - v.harmful;
    return agree < v.count;
  };
  const close = (r: number) => {
    const v = votes[r];
    const agree = labels[r] === 1 ? v.harmful : v.count - v.harmful;
    return agree - (v.count - agree) <= 1;
  };
  const classes = new Set(flaggedRows.map((r) => labels[r]));
  let base = 0, baseN = 0, contestedTrain = 0;
  for (const r of trainRows) {
    const c = contested(r);
    if (c) contestedTrain++;
    if (classes.has(labels[r])) { baseN++; if (c) base++; }
  }
  return {
    flagged: flaggedRows.length,
    flaggedContested: flaggedRows.filter(contested).length,
    baseContestedShare: baseN > 0 ? base / baseN : 0,
    flaggedMinorityClose: flaggedRows.filter(close).length,
    trainRows: trainRows.length,
    contestedTrainRows: contestedTrain,
  };
}

function writeTextExport(dir: string, table: VideoTable, parts: Record<string, number[]>): void {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, unknown> = {};
  for (const [name, rows] of Object.entries(parts)) {
    out[name] = { texts: rows.map((r) => table.transcript[r]), labels: rows.map((r) => table.harmful[r]), weights: rows.map((r) => table.weight[r]) };
  }
  writeJsonAtomic(join(dir, 'text.json'), { parts: out });
}

export async function runRealCorpus(o: RealCorpusOptions): Promise<RealCorpusResult> {
  const spec = o.spec ?? DAVIDSON;
  const csv = join(o.dataRoot ?? sharedDataDir(), spec.file);
  if (!existsSync(csv)) return { status: 'skipped', corpus: spec.name, reason: `${csv} is absent (the real corpora live in ../shared/data beside the repository)` };
  mkdirSync(o.workDir, { recursive: true });
  const dataDir = join(o.workDir, spec.name);
  info(`bench real: importing ${csv}`);
  await importToDataset(csv, dataDir, spec.import);

  // Vigil as a user runs it: the default config, only the data path set.
  const cfg: ExperimentConfig = { ...o.cfg, name: spec.name, data: { ...o.cfg.data, path: dataDir, simulatePreset: null }, runsDir: join(o.workDir, 'runs') };
  const t0 = performance.now();
  const run = await runExperiment(cfg, { reportsDir: join(o.workDir, 'reports') });
  const runSeconds = (performance.now() - t0) / 1000;

  const { table } = await loadDataset(dataDir);
  const split = alignSplit(await readSplitParquet(join(run.runDir, 'split.parquet')), table.videoId);
  const parts = { train: rowsOfSplit(split, TRAIN), calib: rowsOfSplit(split, CALIB), test: rowsOfSplit(split, TEST) };
  const test = parts.test;
  const labels = test.map((r) => table.harmful[r]), weights = test.map((r) => table.weight[r]);
  const rowGroups = test.map((r) => table.videoId[r]);
  const evalOpts = { ...cfg.eval, fprTargets: [0.02], topShares: [0.01], criteria: [] };
  const score = (s: ArrayLike<number>) => evaluateWithDraws(s, labels, weights, rowGroups, evalOpts);

  const vigilScores = (await scoreWithOnnx(run.runDir, table, test)).risk;
  const vigil = score(vigilScores);
  const rowOf = (model: string, kind: RealCorpusRow['kind'], e: ReturnType<typeof score>, apDelta: MetricValue | null, trainSeconds: number | null, note?: string): RealCorpusRow => ({
    model, kind, status: 'ok', ap: e.block.ap, rocAuc: e.block.roc_auc,
    recallAt2Fpr: e.block.recall_at_fpr[pointKey(0.02)], precisionTop1: e.block.precision_at_top[pointKey(0.01)], apDelta, trainSeconds, note,
  });
  // Training time of what was exported: the fused model plus the side-by-side towers model selection judged.
  const manifest = JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8')) as { timings: Record<string, number> };
  const trainS = ['train', 'compare', 'select'].reduce((s, k) => s + (manifest.timings[k] ?? 0), 0);
  const rowsTable: RealCorpusRow[] = [rowOf(`Vigil defaults (exported: ${run.selection.exported})`, 'vigil', vigil, null, trainS,
    'the exported ONNX model as served; train time includes the side-by-side towers')];

  if (o.peers !== false) {
    const exportDir = join(o.workDir, `${spec.name}-text`);
    writeTextExport(exportDir, table, parts);
    const peers: [string, string][] = [
      ['scikit-learn TF-IDF (word 1–2 + char 2–5) + logistic regression', 'text_lr.py'],
      ['XGBoost on the same TF-IDF', 'text_xgb.py'],
    ];
    for (const [label, script] of peers) {
      const r = await runPeer(label, join(peersDir(), script), exportDir, join(o.workDir, `peer-${script.replace('.py', '')}`), { python: o.python, timeoutMs: o.peerTimeoutMs });
      if (r.status !== 'ok') {
        info(`bench real: ${label} ${r.status}: ${r.reason}`);
        rowsTable.push({ model: label, kind: 'peer', status: r.status, reason: r.reason, ap: null, rocAuc: null, recallAt2Fpr: null, precisionTop1: null, apDelta: null, trainSeconds: null });
        continue;
      }
      const e = score(r.scores);
      const va = vigil.block.ap.value, pa = e.block.ap.value;
      const delta = pairedDelta(vigil.draws.ap, e.draws.ap, va !== null && pa !== null ? va - pa : NaN);
      const note = r.info.C !== undefined ? `C=${String(r.info.C)} (picked on calib), ${String(r.info.features)} features`
        : r.info.best_iteration !== undefined ? `${String(r.info.best_iteration)} trees (early stop on calib)` : undefined;
      rowsTable.push(rowOf(label, 'peer', e, delta, r.trainSeconds, note));
    }
  }

  // Label noise against the annotators: what confident learning flags on the training rows.
  // The run's own noise pass (same rows and ids as the reloaded table), not a second one.
  let noise: NoiseVsVotes | null = null;
  const votes = readVotes(csv, spec);
  if (votes.length === table.n && run.noise) {
    noise = noiseAgainstVotes(run.noise.suspects.map((s) => s.row), parts.train, table.harmful, votes);
  }
  const models = run.metrics.models as Record<string, { test: { ap: MetricValue } }> | undefined;
  const apOf = (k: string) => models?.[k]?.test.ap.value ?? null;

  let positives = 0, testPositives = 0;
  for (let i = 0; i < table.n; i++) positives += table.harmful[i];
  for (const r of test) testPositives += table.harmful[r];
  return {
    status: 'ok', corpus: spec.name, reference: spec.reference,
    rows: { total: table.n, positives, train: parts.train.length, calib: parts.calib.length, test: test.length, testPositives },
    splitMethod: timeCoverage(table).kind === 'none' ? 'stratified group split (no timestamps)' : 'recent-time holdout',
    rowsTable, recipe: run.recipe,
    selection: { exported: run.selection.exported, reason: run.selection.reason, fusionBeatBestTower: run.selection.fusionBeatBestTower },
    noiseAp: { withHandling: apOf('fusion'), without: apOf('fusion:no_noise') },
    noise, runSeconds, bootstrap: { resamples: cfg.eval.bootstrap, unit: 'row' },
  };
}
