/**
 * The one fitted pipeline: split → preprocessing → training recipe → fusion training (+ label-noise
 * handling) → side-by-side models → model selection → calibration → policy, all fitted on a table in
 * memory. `vigil run` writes what this returns into a run folder; the benchmark and the notebooks call
 * the same function (or its first half, `prepareFit`) instead of wiring the stages again.
 * Test rows are never used for fitting, early stopping, calibration or threshold choice; the test
 * scores are computed here only so every caller evaluates the same numbers.
 */
import type { ExperimentConfig } from '../config.js';
import type { TruthTable, VideoTable } from '../data/table.js';
import { makeSplit, splitFingerprint, type SplitResult } from '../split/split.js';
import { TRAIN, CALIB, TEST } from '../split/types.js';
import { fitPreprocessor, type FittedPreprocessor } from '../features/preprocess.js';
import { trainFusion, rowsOfSplit, type EpochRecord, type TrainResult } from '../model/train.js';
import { presentTowers, type PresentTowers } from '../model/presentTowers.js';
import { scoreFusion } from '../model/score.js';
import { compareModels, type ModelComparison } from '../model/compare.js';
import type { ModelConfig } from '../model/config.js';
import { fitCalibratorWithSelection, type CalibrationFit, type CalibrationSelection } from '../calibrate/fit.js';
import { applyCalibrator } from '../calibrate/apply.js';
import type { Calibrator } from '../calibrate/types.js';
import { choosePolicy } from '../policy/choose.js';
import type { Policy } from '../policy/types.js';
import { formatRecipe, resolveTrainConfig, type Recipe, type ResolvedTrainConfig } from '../model/recipe.js';
import { VigilError } from '../util/errors.js';
import { info } from '../util/progress.js';
import { stageTimer, type StageTimer } from './stages.js';
import { selectModel, type ModelSelection } from './selectModel.js';

export interface SplitRows { train: number[]; calib: number[]; test: number[] }

/** What every model of a run shares: the split, the fitted preprocessing and the training recipe. */
export interface PreparedFit {
  split: SplitResult;
  rows: SplitRows;
  fitted: FittedPreprocessor;
  /** The configured towers the training rows can feed (the rest dropped, with a reason). */
  towers: PresentTowers;
  /** `cfg.model` with `towers` narrowed to the present ones. */
  model: ModelConfig;
  train: ResolvedTrainConfig;
  recipe: Recipe;
  /** True when `opts.reuse` supplied the preprocessor. */
  reusedPreprocessor: boolean;
}

export interface FitOptions {
  /** Split seed (default `cfg.data.seed`). */
  seed?: number;
  /**
   * A preprocessor fitted earlier (e.g. a reference run's preprocessor.json) and the fingerprint of the
   * split it was fitted on: reused only when this split has the same fingerprint, i.e. the same
   * training rows, so the result is what fitting again would give (minus the ~25 s on `default`).
   */
  reuse?: { fitted: FittedPreprocessor; splitFingerprint: string | null };
  /** Stage timings (default: a fresh timer; `vigil run` passes its own so the manifest has every stage). */
  timer?: StageTimer;
  /** Simulator truth, for the side-by-side models' scores against true labels (never for fitting). */
  truth?: TruthTable | null;
  /** Called after every epoch of the fused model (a live progress line in a notebook). */
  onEpoch?: (rec: EpochRecord, epochs: number) => void;
  /** Prefix of the recipe's log lines. */
  logPrefix?: string;
}

/**
 * Split, fit the preprocessing on the training rows, derive the training recipe. Refuses a split whose
 * point-in-time audit failed or whose windows lack a positive label, naming the window.
 */
export async function prepareFit(table: VideoTable, cfg: ExperimentConfig, opts: FitOptions = {}): Promise<PreparedFit> {
  const timer = opts.timer ?? stageTimer();
  const split = await timer.stage('split', () => makeSplit(table, cfg.split, opts.seed ?? cfg.data.seed));
  if (!split.report.pointInTime.pass) {
    const bad = split.report.pointInTime.checks.filter((c) => !c.pass).map((c) => `${c.name} (${c.violations} rows)`).join(', ');
    throw new VigilError(`point-in-time audit failed: ${bad} use information from after upload_ts — fix the feature table before training (see docs/split.md)`, { field: 'split' });
  }
  const a = split.assignment;
  const rows: SplitRows = { train: rowsOfSplit(a, TRAIN), calib: rowsOfSplit(a, CALIB), test: rowsOfSplit(a, TEST) };
  for (const [name, r] of Object.entries(rows)) {
    if (!r.some((i: number) => table.harmful[i] === 1)) throw new VigilError(`split: the ${name} window has no positive label — use more data or fewer test/calibration weeks`, { field: 'split' });
  }
  const reusable = opts.reuse && opts.reuse.splitFingerprint !== null && opts.reuse.splitFingerprint === splitFingerprint(a);
  const fitted = reusable ? opts.reuse!.fitted : await timer.stage('preprocess', () => fitPreprocessor(table, rows.train, cfg.features));
  // A modality the data lacks is simply not a tower; what was dropped and why goes into the manifest.
  const towers = presentTowers(table, rows.train, cfg.model.towers);
  const model = { ...cfg.model, towers: towers.towers };
  // The recipe comes from the training rows only; every model of the run trains with it.
  const { train, recipe } = resolveTrainConfig(table, rows.train, cfg.train);
  for (const line of formatRecipe(recipe)) info(`${opts.logPrefix ?? ''}${line}`);
  return { split, rows, fitted, towers, model, train, recipe, reusedPreprocessor: Boolean(reusable) };
}

/** Raw fused logits (and, for the calibration window, the tower logits) plus calibrated risks. */
export interface WindowScores {
  logit: Float32Array;
  p: Float64Array;
}

export interface FittedPipeline extends PreparedFit {
  config: ExperimentConfig;
  /** The fused model trained with every present tower (carries the label-noise pass). */
  fusedAll: TrainResult;
  /** The fused model of the selection (fusedAll, or retrained without towers at chance). */
  fused: TrainResult;
  /** The exported network: the fused model, or the single tower that beat it on the calibration window. */
  exported: TrainResult;
  selection: ModelSelection;
  comparison: ModelComparison[];
  calibrator: Calibrator;
  calibration: CalibrationSelection;
  /** Every compared calibration method fitted on the whole calibration window (`calibrator` among them). */
  calibrators: CalibrationFit['byMethod'];
  policy: Policy;
  scores: { calib: WindowScores & { modalityLogits: Float32Array }; test: WindowScores };
  timings: Record<string, number>;
}

/** `fitPipeline(table, config)`: every fitted piece of a run, in memory. */
export async function fitPipeline(table: VideoTable, cfg: ExperimentConfig, opts: FitOptions = {}): Promise<FittedPipeline> {
  const timer = opts.timer ?? stageTimer();
  const prep = await prepareFit(table, cfg, { ...opts, timer });
  const { rows, fitted, model, train } = prep;
  const a = prep.split.assignment;
  const pick = <T extends { [k: number]: number }>(x: T, r: number[]) => r.map((i) => x[i]);
  const onEpoch = opts.onEpoch;
  const fusedAll = await timer.stage('train', () => trainFusion(table, a, fitted, { model, train }, onEpoch ? { onEpoch: (rec) => onEpoch(rec, train.epochs) } : {}));

  // Side-by-side models first: their single-tower models are the candidates of the model selection.
  const cmp = await timer.stage('compare', () => cfg.compare.variants.length === 0
    ? { models: [] as ModelComparison[] }
    : compareModels(table, a, fitted, { model, train }, { variants: cfg.compare.variants, truth: opts.truth ?? undefined, noise: fusedAll.noise }));
  const picked = await timer.stage('select', () => selectModel({
    table, split: a, fitted, model, train, main: fusedAll, comparison: cmp.models, calibRows: rows.calib,
    resamples: cfg.eval.bootstrap, seed: cfg.eval.seed,
  }));
  const main = picked.exported;
  const calibScores = scoreFusion(main.weights, fitted, table, rows.calib);
  const testScores = scoreFusion(main.weights, fitted, table, rows.test);

  const { calibrator, selection: calibration, byMethod: calibrators } = await timer.stage('calibrate', () => fitCalibratorWithSelection(
    calibScores.logit, pick(table.harmful, rows.calib), pick(table.weight, rows.calib),
    { methods: cfg.calibration.methods, negativeKeepRate: main.negativeKeepRate, groups: rows.calib.map((r) => table.creatorId[r]), seed: cfg.eval.seed },
  ));
  const calibP = applyCalibrator(calibrator, calibScores.logit);
  const testP = applyCalibrator(calibrator, testScores.logit);

  const policy = await timer.stage('policy', () => choosePolicy(calibP, pick(table.harmful, rows.calib), pick(table.weight, rows.calib), cfg.policy, {
    groups: rows.calib.map((r) => table.creatorId[r]), tags: rows.calib.map((r) => table.policyTags[r]),
  }));
  return {
    ...prep, config: cfg, fusedAll, fused: picked.fused, exported: main, selection: picked.selection, comparison: cmp.models,
    calibrator, calibration, calibrators, policy,
    scores: {
      calib: { logit: calibScores.logit, p: calibP, modalityLogits: calibScores.modalityLogits },
      test: { logit: testScores.logit, p: testP },
    },
    timings: timer.timings,
  };
}
