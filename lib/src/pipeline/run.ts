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
import { stageTimer, type StageTimer } from './stages.js';
import { splitFingerprint, type SplitResult } from '../split/split.js';
import { writeSplitParquet } from '../split/io.js';
import { leakageDemoIndices } from '../split/leakageDemo.js';
import { fitPreprocessor, type FittedPreprocessor } from '../features/preprocess.js';
import type { TrainResult } from '../model/train.js';
import { scoreFusion } from '../model/score.js';
import type { ModelComparison } from '../model/compare.js';
import { fitPooledLogistic, scorePooledLogistic } from '../model/baselines/logistic.js';
import { auditNoise, type NoiseAudit, type NoiseResult } from '../model/noise.js';
import { evaluate, type MetricBlock } from '../eval/evaluate.js';
import { evaluateTestSet, type TestSetEvaluation } from '../eval/testSet.js';
import { evaluateAgainstTruth } from '../eval/truth.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluatePolicy.js';
import type { Policy } from '../policy/types.js';
import { createRunId, writeRunFolder } from '../runs/runFolder.js';
import { buildManifest } from '../runs/manifest.js';
import { buildReference, computeDrift } from '../monitor/drift.js';
import type { DriftReport } from '../monitor/types.js';
import { checkParity, writeBundle, checkServing, type ParityResult, type LatencyCheck } from './serving.js';
import { writeRunReport } from './report.js';
import type { CalibrationSelection } from '../calibrate/fit.js';
import { VigilError } from '../util/errors.js';
import { datasetExtractorId } from '../extract/compat.js';
import { buildBootstrapFile } from '../runs/bootstrapFile.js';
import type { Recipe, ResolvedTrainConfig } from '../model/recipe.js';
import type { ModelSelection } from './selectModel.js';
import { fitPipeline, type FittedPipeline } from './fit.js';
import { evaluateFitOnTest } from './evaluateFit.js';
import type { CalibrationTestRow } from './calibrationOnTest.js';
import type { AttentionExample } from './attentionExamples.js';

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

/**
 * Everything the report needs from a run, beyond what the run folder's JSON files hold: results the
 * stages produced, never fitted models — the report formats, it does not fit or score.
 */
export interface RunState {
  cfg: ExperimentConfig;
  ds: LoadedDataset;
  split: SplitResult;
  rows: { train: number[]; calib: number[]; test: number[] };
  recipe: Recipe;
  selection: ModelSelection;
  calibration: CalibrationSelection;
  /** Calibrated risks of the exported network on the calibration window and the test weeks. */
  scores: { calibP: Float64Array; testP: Float64Array };
  evalTest: TestSetEvaluation;
  /** Every calibration method (and none) on the test weeks. */
  calibrationTest: CalibrationTestRow[];
  /** Frame attention of the riskiest harmful test videos. */
  attention: AttentionExample[];
  comparison: ModelComparison[];
  policy: Policy;
  policyTest: PolicyEvaluation;
  leakage: LeakageDemo | null;
  /** The label-noise pass of the exported network's training (when `train.noise` ran). */
  noise: NoiseResult | null;
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
  // The id carries the start time of the run, not the time its folder is written.
  const runId = opts.runId ?? createRunId(cfg);
  const timer = stageTimer();
  const dataPath = await timer.stage('data', () => ensureDataset(cfg.data));
  const ds = await timer.stage('load', () => loadDataset(dataPath));
  const fit = await fitPipeline(ds.table, cfg, { timer, truth: ds.truth });
  return writeRun(ds, fit, { ...opts, runId, timer });
}

export interface WriteRunOptions extends RunOptions {
  /** The timer the fit ran under, so the manifest lists every stage. */
  timer?: StageTimer;
}

/**
 * Evaluate a fitted pipeline on the test weeks, run the leakage demonstration, export, check serving
 * and write the versioned run folder + report — the one writer behind `vigil run` and a notebook's
 * saved variant, so both appear alike in `vigil runs` and the reports index.
 */
export async function writeRun(ds: LoadedDataset, fit: FittedPipeline, opts: WriteRunOptions = {}): Promise<RunOutcome> {
  const cfg = fit.config;
  const runsDir = opts.runsDir ?? cfg.runsDir;
  const runId = opts.runId ?? createRunId(cfg);
  const timer = opts.timer ?? stageTimer();
  const dataPath = ds.path;
  const { table } = ds;
  const { split, rows, fitted, recipe, selection, calibrator, policy, towers, train } = fit;
  const a = split.assignment;
  const labelsOf = (r: number[]) => pick(table.harmful, r);
  const weightsOf = (r: number[]) => pick(table.weight, r);
  const groupsOf = (r: number[]) => r.map((i) => table.creatorId[i]);
  const fusedAll = fit.fusedAll;
  const main = fit.exported;
  const calSelection = fit.calibration;
  const calibP = fit.scores.calib.p;
  const testP = fit.scores.test.p;

  const testEval = await timer.stage('evaluate', () => evaluateFitOnTest(table, fit));
  const { evalTest, policyTest, uncalibratedP: testUncalibrated } = testEval;

  // `fusion` is the fused model (the exported one unless a single tower won on the calibration window).
  const evalRaw = (scores: ArrayLike<number>) => evaluate(scores, labelsOf(rows.test), weightsOf(rows.test), groupsOf(rows.test), cfg.eval);
  const models: Record<string, { test: MetricBlock }> = {
    fusion: { test: selection.exported === 'fusion' ? evalTest.test : evalRaw(scoreFusion(fit.fused.weights, fitted, table, rows.test).logit) },
  };
  if (fit.fused !== fusedAll) models['fusion (all towers)'] = { test: evalRaw(scoreFusion(fusedAll.weights, fitted, table, rows.test).logit) };
  for (const m of fit.comparison) {
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
        calibRows: rows.calib, calibModalityLogits: fit.scores.calib.modalityLogits, split,
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
      cfg, ds, split, rows, recipe, selection, calibration: calSelection, scores: { calibP, testP },
      evalTest, calibrationTest: testEval.calibration, attention: testEval.attention,
      comparison: fit.comparison, policy, policyTest, leakage, noise: main.noise ?? null, noiseAudit, parity, latency, timings: timer.timings,
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
