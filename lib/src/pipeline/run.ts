/**
 * `vigil run`: one experiment end to end —
 * data → split → preprocessing → training recipe → fusion training (+ label-noise handling) → side-by-side
 * models → model selection (fused model or its best single tower, calibration window) →
 * calibration (calib window) → policy (calib window) → evaluation on the recent-time test weeks →
 * leakage demonstration → serving bundle + ONNX parity + latency → drift reference → report.
 * Everything lands in a run folder that appears atomically. Test rows are never used for fitting,
 * early stopping, calibration or threshold choice.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeRunFile, decodeJson, type RunFileInput } from '../artifacts/runFiles.js';
import { bundleManifestSchema } from '../artifacts/manifest.js';
import { info } from '../util/progress.js';
import type { ExperimentConfig } from '../config.js';
import { ensureDataset, loadDataset, alignTruth, type LoadedDataset } from './dataset.js';
import { stageTimer } from './stages.js';
import { makeSplit, splitFingerprint, type SplitResult } from '../split/split.js';
import { writeSplitParquet } from '../split/io.js';
import { leakageDemoIndices } from '../split/leakageDemo.js';
import { TRAIN, CALIB, TEST } from '../split/types.js';
import { fitPreprocessor, type FittedPreprocessor } from '../features/preprocess.js';
import { trainFusion, rowsOfSplit, type TrainResult } from '../model/train.js';
import { presentTowers } from '../model/presentTowers.js';
import { scoreFusion } from '../model/score.js';
import { compareModels, type ModelComparison } from '../model/compare.js';
import { fitPooledLogistic, scorePooledLogistic } from '../model/baselines/logistic.js';
import { auditNoise, type NoiseAudit, type NoiseResult } from '../model/noise.js';
import { fitCalibratorWithSelection } from '../calibrate/fit.js';
import { applyCalibrator } from '../calibrate/apply.js';
import { evaluate, type MetricBlock } from '../eval/evaluate.js';
import { evaluateTestSet, type TestSetEvaluation } from '../eval/testSet.js';
import { evaluateAgainstTruth } from '../eval/truth.js';
import { choosePolicy } from '../policy/choose.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluatePolicy.js';
import type { Policy } from '../policy/types.js';
import { createRunId, writeRunFolder } from '../runs/runFolder.js';
import { buildManifest } from '../runs/manifest.js';
import { buildReference, computeDrift } from '../monitor/drift.js';
import type { DriftReport } from '../monitor/types.js';
import { checkParity, writeBundle, checkServing, type ParityResult, type LatencyCheck } from './serving.js';
import { writeRunReport } from './report.js';
import type { Calibrator } from '../calibrate/types.js';
import type { CalibrationSelection } from '../calibrate/fit.js';
import { VigilError } from '../util/errors.js';
import { datasetExtractorId } from '../extract/compat.js';
import { buildBootstrapFile } from '../runs/bootstrapFile.js';
import { formatRecipe, resolveTrainConfig, type Recipe, type ResolvedTrainConfig } from '../model/recipe.js';
import { selectModel, type ModelSelection } from './selectModel.js';
import { sigmoid } from '../util/sigmoid.js';

export interface RunOptions {
  /** Override the run id (default: timestamp + config name + hash). */
  runId?: string;
  /** Override `cfg.data.path`. */
  dataPath?: string;
  /** Override `cfg.runsDir`. */
  runsDir?: string;
  /** Folder for the reports index (default `reports`). */
  reportsDir?: string;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  reportPath: string;
  /** metrics.json as written (schema: artifacts/metrics.ts). */
  metrics: RunFileInput<'metrics.json'>;
  policy: Policy;
  /** The training recipe (each value explicit or derived, with its reason). */
  recipe: Recipe;
  /** Which network was exported and why (calibration window only). */
  selection: ModelSelection;
  /** The label-noise pass over the training rows (when `train.noise` ran). */
  noise?: NoiseResult;
}

/** Everything the report needs from a run, beyond what the run folder's JSON files hold. */
export interface RunState {
  cfg: ExperimentConfig;
  ds: LoadedDataset;
  split: SplitResult;
  rows: { train: number[]; calib: number[]; test: number[] };
  fitted: FittedPreprocessor;
  /** The exported network (the fused model, or the single tower that beat it on the calibration window). */
  main: TrainResult;
  recipe: Recipe;
  selection: ModelSelection;
  calibrator: Calibrator;
  calibration: CalibrationSelection;
  scores: { calibP: Float64Array; calibLogit: Float32Array; testP: Float64Array; testLogit: Float32Array; testUncalibrated: Float64Array };
  evalTest: TestSetEvaluation;
  comparison: ModelComparison[];
  policy: Policy;
  policyTest: PolicyEvaluation;
  leakage: LeakageDemo | null;
  noiseAudit: NoiseAudit | null;
  parity: ParityResult;
  latency: LatencyCheck;
  /** Calibration and test weeks against the training reference (inputs) and calibration scores. */
  drift: DriftReport;
  timings: Record<string, number>;
}

export interface LeakageDemo {
  model: string;
  random: MetricBlock;
  safe: MetricBlock;
}

const pick = <T extends { [k: number]: number }>(a: T, rows: number[]) => rows.map((r) => a[r]);

/** The logistic baseline under two designs (random row split vs the leakage-safe split). */
function leakageDemo(ds: LoadedDataset, split: SplitResult, cfg: ExperimentConfig, trainCfg: ResolvedTrainConfig): LeakageDemo {
  const { table } = ds;
  const designs = leakageDemoIndices(split.assignment, cfg.data.seed);
  const run = (train: Int32Array, test: Int32Array): MetricBlock => {
    const trainRows = Array.from(train), testRows = Array.from(test);
    // Without the stacked linear text score: the demo contrasts two split designs for one cheap model,
    // and that score's out-of-fold fits would add ~40 s on `default` for no bearing on the contrast.
    const fitted = fitPreprocessor(table, trainRows, { ...cfg.features, textLinear: false });
    const model = fitPooledLogistic(table, fitted, trainRows, { seed: trainCfg.seed, positiveWeight: trainCfg.positiveWeight });
    const scores = scorePooledLogistic(model, fitted, table, testRows);
    return evaluate(scores, pick(table.harmful, testRows), pick(table.weight, testRows), testRows.map((r) => table.creatorId[r]), cfg.eval);
  };
  return { model: 'logistic (pooled features)', random: run(designs.random.train, designs.random.test), safe: run(designs.safe.train, designs.safe.test) };
}

export async function runExperiment(cfg: ExperimentConfig, opts: RunOptions = {}): Promise<RunOutcome> {
  if (opts.dataPath) cfg = { ...cfg, data: { ...cfg.data, path: opts.dataPath } };
  const runsDir = opts.runsDir ?? cfg.runsDir;
  const runId = opts.runId ?? createRunId(cfg);
  const timer = stageTimer();

  const dataPath = await timer.stage('data', () => ensureDataset(cfg.data));
  const ds = await timer.stage('load', () => loadDataset(dataPath));
  const { table } = ds;
  const split = await timer.stage('split', () => makeSplit(table, cfg.split, cfg.data.seed));
  const a = split.assignment;
  if (!split.report.pointInTime.pass) {
    const bad = split.report.pointInTime.checks.filter((c) => !c.pass).map((c) => `${c.name} (${c.violations} rows)`).join(', ');
    throw new VigilError(`point-in-time audit failed: ${bad} use information from after upload_ts — fix the feature table before training (see docs/split.md)`, { field: 'split' });
  }
  const rows = { train: rowsOfSplit(a, TRAIN), calib: rowsOfSplit(a, CALIB), test: rowsOfSplit(a, TEST) };
  for (const [name, r] of Object.entries(rows)) {
    if (!r.some((i) => table.harmful[i] === 1)) throw new VigilError(`split: the ${name} window has no positive label — use more data or fewer test/calibration weeks`, { field: 'split' });
  }
  const labelsOf = (r: number[]) => pick(table.harmful, r);
  const weightsOf = (r: number[]) => pick(table.weight, r);
  const groupsOf = (r: number[]) => r.map((i) => table.creatorId[i]);

  const fitted = await timer.stage('preprocess', () => fitPreprocessor(table, rows.train, cfg.features));
  // A modality the data lacks is simply not a tower; what was dropped and why goes into the manifest.
  const towers = presentTowers(table, rows.train, cfg.model.towers);
  const model = { ...cfg.model, towers: towers.towers };
  // The recipe comes from the training rows only; every model of the run trains with it.
  const { train, recipe } = resolveTrainConfig(table, rows.train, cfg.train);
  for (const line of formatRecipe(recipe)) info(line);
  const fusedAll = await timer.stage('train', () => trainFusion(table, a, fitted, { model, train }));

  // Side-by-side models first: their single-tower models are the candidates of the model selection.
  const cmp = await timer.stage('compare', () => cfg.compare.variants.length === 0
    ? { models: [] as ModelComparison[] }
    : compareModels(table, a, fitted, { model, train }, { variants: cfg.compare.variants, truth: ds.truth ?? undefined, noise: fusedAll.noise }));
  const picked = await timer.stage('select', () => selectModel({
    table, split: a, fitted, model, train, main: fusedAll, comparison: cmp.models, calibRows: rows.calib,
    resamples: cfg.eval.bootstrap, seed: cfg.eval.seed,
  }));
  const { selection } = picked;
  const main = picked.exported;
  const calibScores = scoreFusion(main.weights, fitted, table, rows.calib);
  const testScores = scoreFusion(main.weights, fitted, table, rows.test);

  const { calibrator, selection: calSelection } = await timer.stage('calibrate', () => fitCalibratorWithSelection(
    calibScores.logit, labelsOf(rows.calib), weightsOf(rows.calib),
    { methods: cfg.calibration.methods, negativeKeepRate: main.negativeKeepRate, groups: groupsOf(rows.calib), seed: cfg.eval.seed },
  ));
  const calibP = applyCalibrator(calibrator, calibScores.logit);
  const testP = applyCalibrator(calibrator, testScores.logit);
  const testUncalibrated = Float64Array.from(testScores.logit, (z) => sigmoid(z));

  const policy = await timer.stage('policy', () => choosePolicy(calibP, labelsOf(rows.calib), weightsOf(rows.calib), cfg.policy, {
    groups: groupsOf(rows.calib), tags: rows.calib.map((r) => table.policyTags[r]),
  }));

  const trainCreators = new Set(groupsOf(rows.train));
  const newCreator = rows.test.map((r) => !trainCreators.has(table.creatorId[r]));
  const evalTest = await timer.stage('evaluate', () => evaluateTestSet({
    table, rows: rows.test, scores: testP, groups: groupsOf(rows.test), trainRows: rows.train, cfg: cfg.eval,
    extraSlices: { new_creator: newCreator, returning_creator: newCreator.map((x) => !x) },
  }));
  const policyTest = evaluatePolicy(policy, testP, labelsOf(rows.test), weightsOf(rows.test), groupsOf(rows.test),
    { bootstrap: cfg.eval.bootstrap, seed: cfg.eval.seed });

  // `fusion` is the fused model (the exported one unless a single tower won on the calibration window).
  const evalRaw = (scores: ArrayLike<number>) => evaluate(scores, labelsOf(rows.test), weightsOf(rows.test), groupsOf(rows.test), cfg.eval);
  const models: Record<string, { test: MetricBlock }> = {
    fusion: { test: selection.exported === 'fusion' ? evalTest.test : evalRaw(scoreFusion(picked.fused.weights, fitted, table, rows.test).logit) },
  };
  if (picked.fused !== fusedAll) models['fusion (all towers)'] = { test: evalRaw(scoreFusion(fusedAll.weights, fitted, table, rows.test).logit) };
  for (const m of cmp.models) {
    models[m.name] = { test: evaluate(m.testScores, labelsOf(rows.test), weightsOf(rows.test), groupsOf(rows.test), cfg.eval) };
  }
  const leakage = cfg.compare.leakageDemo ? await timer.stage('leakage-demo', () => leakageDemo(ds, split, cfg, train)) : null;

  let truthBlocks: ReturnType<typeof evaluateAgainstTruth> | null = null;
  let noiseAudit: NoiseAudit | null = null;
  if (ds.truth) {
    const t = alignTruth(table, ds.truth);
    truthBlocks = evaluateAgainstTruth(testP, labelsOf(rows.test), pick(t.trueHarmful, rows.test), pick(t.oracleP, rows.test),
      weightsOf(rows.test), groupsOf(rows.test), cfg.eval);
    if (main.noise) noiseAudit = auditNoise(main.noise, table, a, ds.truth);
  }

  const metrics = {
    test: evalTest.test,
    slices: evalTest.slices,
    models,
    ...(truthBlocks ? { oracle: { test: truthBlocks.oracle.observed }, truth: truthBlocks } : {}),
    uncalibrated: { test: evaluate(testUncalibrated, labelsOf(rows.test), weightsOf(rows.test), groupsOf(rows.test), cfg.eval) },
    calibration: { chosen: calSelection.chosen, selection: calSelection },
    model_selection: selection,
    policy_test: policyTest,
    spike_countries: evalTest.spike_countries,
    ...(leakage ? { leakage_demo: leakage } : {}),
  };
  let serving: { parity: ParityResult; latency: Pick<LatencyCheck, 'frames18' | 'frames600'> } | undefined;

  let state: RunState | null = null;
  const runDir = await writeRunFolder(runsDir, runId, async (dir) => {
    writeSplitParquet(join(dir, 'split.parquet'), a);
    const parityRows = rows.test.slice(0, cfg.serving.parityRows);
    const parity = await timer.stage('export', async () => {
      writeBundle({
        runDir: dir, modelVersion: runId, weights: main.weights, calibrator, fitted, policy, table,
        calibRows: rows.calib, calibModalityLogits: calibScores.modalityLogits, split,
        splitConfig: { bandBits: cfg.split.nearDup.bandBits, minCosine: cfg.split.nearDup.minCosine },
        blockedRows: [...rows.train, ...rows.calib].filter((r) => table.harmful[r] === 1),
      });
      return checkParity(main.weights, calibrator, fitted, table, parityRows, cfg.serving.parityTolerance);
    });
    if (!parity.passed) throw new VigilError(`export: ONNX and TF.js disagree by ${parity.max.toExponential(2)} (> ${cfg.serving.parityTolerance}) on ${parity.rows} test videos`, { field: 'model.onnx' });
    const latency = await timer.stage('serving-check', () => checkServing(dir, cfg.serving));
    // Drift reference: inputs from the training weeks, the score distribution from the calibration
    // window (in-sample training scores would be over-confident).
    const scoreByRow = new Float64Array(table.n).fill(NaN);
    rows.calib.forEach((r, k) => { scoreByRow[r] = calibP[k]; });
    rows.test.forEach((r, k) => { scoreByRow[r] = testP[k]; });
    const reference = buildReference(table, rows.train, scoreByRow, { scoreRows: rows.calib });
    writeRunFile(dir, 'reference.json', reference);
    serving = { parity, latency: { frames18: latency.frames18, frames600: latency.frames600 } };
    writeRunFile(dir, 'metrics.json', { ...metrics, serving });
    writeRunFile(dir, 'bootstrap.json', buildBootstrapFile(evalTest.draws, {
      testVideoIds: rows.test.map((r) => table.videoId[r]), groupIds: groupsOf(rows.test), seed: cfg.eval.seed, resamples: cfg.eval.bootstrap,
    }));
    state = {
      cfg, ds, split, rows, fitted, main, recipe, selection, calibrator, calibration: calSelection,
      scores: { calibP, calibLogit: calibScores.logit, testP, testLogit: testScores.logit, testUncalibrated },
      evalTest, comparison: cmp.models, policy, policyTest, leakage, noiseAudit, parity, latency, timings: timer.timings,
      drift: computeDrift(reference, table, { rows: [...rows.calib, ...rows.test], scores: scoreByRow }),
    };
    const writeManifest = async () => {
      const m = await buildManifest({
        runId, config: cfg, datasetPath: resolve(dataPath), datasetFingerprint: ds.fingerprint,
        splitFingerprint: splitFingerprint(a), backend: main.backend, timings: timer.timings, dir, recipe,
      });
      const manifestPath = join(dir, 'manifest.json');
      const prev = bundleManifestSchema.parse(decodeJson(readFileSync(manifestPath, 'utf8'), 'manifest.json', manifestPath));
      // The feature extractor behind the dataset (null for simulated or external embeddings): `vigil score
      // --video` refuses to score raw media in a different embedding space.
      writeRunFile(dir, 'manifest.json', { ...m, extractor: datasetExtractorId(dataPath), serving: prev.serving, towers });
    };
    await writeManifest();
    await timer.stage('report', () => writeRunReport(dir, state!));
    await writeManifest();
  });
  info(`run folder: ${runDir}`);
  return { runId, runDir, reportPath: join(runDir, 'report.html'), metrics: { ...metrics, ...(serving ? { serving } : {}) }, policy, recipe, selection, ...(fusedAll.noise ? { noise: fusedAll.noise } : {}) };
}
