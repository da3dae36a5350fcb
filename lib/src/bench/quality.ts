import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import type { TruthTable, VideoTable } from '../data/table.js';
import { simulateToDir } from '../simulate/write.js';
import { DEFAULT_KNOBS, type SimKnobs } from '../simulate/presets.js';
import type { SplitResult } from '../split/split.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { prepareFit } from '../pipeline/fit.js';
import { stageTimer } from '../pipeline/stages.js';
import { compareModels, VARIANTS } from '../model/compare.js';
import { VigilError } from '../util/errors.js';
import { confidentLearning } from '../model/noise.js';
import { trainFusion, type TrainResult } from '../model/train.js';
import { scoreFusion } from '../model/score.js';
import { evaluate, evaluateWithDraws, pointKey, type MetricBlock, type MetricValue } from '../eval/evaluate.js';
import { defineSlices } from '../eval/slices.js';
import { info, progress } from '../util/progress.js';
import { exportPooledFeatures } from './featureExport.js';
import { peersDir, runPeer, type PeerResult } from './peers.js';
import { machineInfo, type MachineInfo } from './machine.js';

/**
 * The quality table: every model trained on the same leakage-safe split and the same fitted
 * preprocessing, scored on the same recent-time test window, with group-bootstrap 95% intervals
 * (resampling creators). Vigil's fusion model, its in-repo baselines, XGBoost and scikit-learn on the
 * exported pooled features, and the simulator's oracle (the true harm probability) as the ceiling.
 */
export interface QualityRow {
  model: string;
  /** The model/compare.ts variant name of an in-repo row (`fusion`, `fusion:mean`, `cart`...). */
  variant?: string;
  /** `oracle` and `reference` rows are simulator knowledge (no training), not competitors. */
  kind: 'vigil' | 'baseline' | 'peer' | 'oracle' | 'reference';
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  ap: MetricValue | null;
  recallAt2Fpr: MetricValue | null;
  precisionTop1: MetricValue | null;
  coldStartRecallAt2Fpr: MetricValue | null;
  /** Fitting wall time (s); null for the oracle. */
  trainSeconds: number | null;
  note?: string;
}

export interface QualityResult {
  preset: string;
  seed: number;
  rows: { total: number; train: number; calib: number; test: number; testPositives: number; coldStartTest: number; coldStartPositives: number };
  rowsTable: QualityRow[];
  timings: { generationS: number; writeS: number; splitS: number; preprocessS: number; noiseS: number; exportS: number };
  bootstrap: { resamples: number; unit: string; groups: number };
  machine: { start: MachineInfo; end: MachineInfo };
  /** The trained pieces the speed section reuses (not serialised). */
  artifacts?: QualityArtifacts;
}

export interface QualityArtifacts {
  table: VideoTable;
  truth: TruthTable;
  split: SplitResult;
  fitted: FittedPreprocessor;
  fusion?: TrainResult['weights'];
  negativeKeepRate: number;
  datasetDir: string;
  /**
   * Per row of the table (keyed by `variant` for in-repo models, else the model label): the bootstrap
   * draws of AP and recall@2%FPR. Resample k draws the same creators for every model (same test
   * rows), so differences of draws give paired intervals.
   */
  draws: Record<string, { ap: Float64Array; recallAt2Fpr: Float64Array }>;
}

export interface QualityOptions {
  preset: string;
  seed: number;
  cfg: ExperimentConfig;
  /** Scratch folder (dataset, feature export, peer outputs). */
  workDir: string;
  python?: string;
  peers?: boolean;
  /** In-repo variants (model/compare.ts names). */
  variants?: string[];
  peerTimeoutMs?: number;
  /** Simulator behaviour (a variant of the world); default DEFAULT_KNOBS. */
  knobs?: SimKnobs;
  /** Name of the simulator variant, for the dataset folder and profile.json. */
  simVariant?: string;
}

/** `variant` (and draws key) of the faint-segment dataset's frame-detector reference row. */
export const DETECTOR_ROW = 'reference:frame_detector';

export const BENCH_VARIANTS = ['fusion', 'fusion:mean', 'tower:meta', 'tower:visual', 'tower:audio', 'tower:text', 'cart', 'logistic'];

const LABELS: Record<string, string> = {
  fusion: 'Vigil late fusion (attention, MLP head)', 'fusion:mean': 'Vigil fusion, mean pooling', 'fusion:no_noise': 'Vigil fusion, no label-noise handling',
  'tower:meta': 'tower: metadata only', 'tower:visual': 'tower: visual only', 'tower:audio': 'tower: audio only', 'tower:text': 'tower: text only',
  cart: 'CART (ml-cart, pooled features)', logistic: 'logistic regression (in-repo, pooled features)',
};

/** Test-window scores → the four table metrics (overall and on the cold-start slice), and the overall bootstrap draws. */
export function scoreRow(scores: ArrayLike<number>, ctx: EvalContext): Pick<QualityRow, 'ap' | 'recallAt2Fpr' | 'precisionTop1' | 'coldStartRecallAt2Fpr'> & { block: MetricBlock; draws: QualityArtifacts['draws'][string] } {
  const opts = { ...ctx.evalOpts, fprTargets: [0.02], topShares: [0.01], criteria: [] };
  const { block, draws } = evaluateWithDraws(scores, ctx.labels, ctx.weights, ctx.groups, opts);
  const cs = ctx.coldPositions;
  const sub = <T extends ArrayLike<number> | string[]>(a: T) => Array.from(cs, (k) => (a as ArrayLike<number | string>)[k]);
  const cold = evaluate(sub(scores as ArrayLike<number>) as number[], sub(ctx.labels) as number[], sub(ctx.weights) as number[], sub(ctx.groups) as string[], opts);
  return {
    block, draws: { ap: draws.ap, recallAt2Fpr: draws[`recall_at_fpr.${pointKey(0.02)}`] }, ap: block.ap, recallAt2Fpr: block.recall_at_fpr[pointKey(0.02)], precisionTop1: block.precision_at_top[pointKey(0.01)],
    coldStartRecallAt2Fpr: cold.recall_at_fpr[pointKey(0.02)],
  };
}

export interface EvalContext {
  labels: Int8Array;
  weights: Float64Array;
  groups: string[];
  coldPositions: Int32Array;
  evalOpts: ExperimentConfig['eval'];
}

export async function runQuality(o: QualityOptions): Promise<QualityResult> {
  const start = machineInfo();
  const { cfg } = o;
  // Checked before the minutes of simulation, not after.
  const variants = o.variants ?? BENCH_VARIANTS;
  for (const v of variants) {
    if (!(VARIANTS as readonly string[]).includes(v)) throw new VigilError(`--variants: unknown model '${v}' (known: ${VARIANTS.join(', ')})`, { field: 'variants' });
  }
  mkdirSync(o.workDir, { recursive: true });
  info(`bench quality: simulating preset '${o.preset}' (seed ${o.seed})`);
  const ds = await simulateToDir(o.preset, o.seed, join(o.workDir, `dataset-${o.preset}${o.simVariant ? `-${o.simVariant}` : ''}`), o.knobs ?? DEFAULT_KNOBS, o.simVariant);
  const table = ds.sim.table, truth = ds.sim.truth;
  info(`bench quality: ${table.n.toLocaleString()} stored rows generated in ${ds.generationS.toFixed(1)} s (written in ${ds.writeS.toFixed(1)} s)`);

  // Split, preprocessing and recipe exactly as `vigil run` fits them (pipeline/fit.ts).
  const timer = stageTimer();
  const prep = await prepareFit(table, cfg, { seed: o.seed, timer, logPrefix: 'bench quality: ' });
  const { split, fitted, train } = prep;
  const { train: trainRows, calib: calibRows, test: testRows } = prep.rows;
  const splitS = timer.timings.split, preprocessS = timer.timings.preprocess;
  info(`bench quality: split in ${splitS.toFixed(1)} s — train ${trainRows.length}, calib ${calibRows.length}, test ${testRows.length}`);

  let t = performance.now();
  const noise = train.noise === 'confident_learning' ? confidentLearning(table, split.assignment, fitted, train) : undefined;
  const noiseS = (performance.now() - t) / 1000;

  const ctx: EvalContext = {
    labels: Int8Array.from(testRows, (r) => table.harmful[r]),
    weights: Float64Array.from(testRows, (r) => table.weight[r]),
    groups: testRows.map((r) => table.creatorId[r]),
    coldPositions: defineSlices(table, testRows, { coldStartDays: cfg.eval.coldStartDays, longVideoFrames: cfg.eval.longVideoFrames, spikeCountries: [] })
      .find((s) => s.name === 'cold_start')!.positions,
    evalOpts: cfg.eval,
  };
  const out: QualityRow[] = [];
  const allDraws: QualityArtifacts['draws'] = {};
  const bar = progress('bench models', variants.length + (o.peers === false ? 0 : 2) + 1);
  let done = 0;
  // One variant at a time so progress shows and the fusion weights can be kept for serving.
  let fusionWeights: TrainResult['weights'] | undefined;
  for (const v of variants) {
    const t0 = performance.now();
    let scores: Float32Array, note: string | undefined;
    if (v === 'fusion') {
      // Trained directly (not through compareModels) to keep the weights for the serving benchmark.
      const res = await trainFusion(table, split.assignment, fitted, { model: prep.model, train }, { noise });
      scores = scoreFusion(res.weights, fitted, table, testRows).logit;
      fusionWeights = res.weights;
      note = `best epoch ${res.bestEpoch}/${train.epochs}, ${Math.round(res.rowsPerSec)} rows/s on ${res.backend}`;
    } else {
      const m = (await compareModels(table, split.assignment, fitted, { model: prep.model, train }, { variants: [v], noise })).models[0];
      scores = m.testScores;
      note = m.bestEpoch ? `best epoch ${m.bestEpoch}/${train.epochs}, ${Math.round(m.rowsPerSec ?? 0)} rows/s` : undefined;
    }
    const seconds = (performance.now() - t0) / 1000;
    const usesNoise = noise !== undefined && (v.startsWith('fusion') || v.startsWith('tower:')) && v !== 'fusion:no_noise';
    const { block: _b, draws, ...metrics } = scoreRow(scores, ctx);
    allDraws[v] = draws;
    out.push({
      model: LABELS[v] ?? v, variant: v, kind: v.startsWith('fusion') ? 'vigil' : 'baseline', status: 'ok', ...metrics,
      trainSeconds: seconds + (usesNoise ? noiseS : 0), note,
    });
    info(`bench quality: ${v}: AP ${metrics.ap?.value?.toFixed(4)} R@2%FPR ${metrics.recallAt2Fpr?.value?.toFixed(3)} (${seconds.toFixed(1)} s)`);
    bar.tick(++done, v);
  }

  let exportS = 0;
  if (o.peers !== false) {
    t = performance.now();
    const exportDir = join(o.workDir, 'features');
    const groupIds = Int32Array.from(split.assignment.groupId);
    exportPooledFeatures(exportDir, fitted, table, { parts: { train: trainRows, calib: calibRows, test: testRows }, groupIds });
    exportS = (performance.now() - t) / 1000;
    info(`bench quality: exported pooled features (${trainRows.length + calibRows.length + testRows.length} rows) in ${exportS.toFixed(1)} s`);
    const peers: [string, string, string][] = [['XGBoost (python3-xgboost, pooled features)', 'xgb.py', 'xgb'], ['scikit-learn LogisticRegression (balanced)', 'sklearn_lr.py', 'sklearn_lr']];
    for (const [label, script, dir] of peers) {
      const r: PeerResult = await runPeer(label, join(peersDir(), script), exportDir, join(o.workDir, 'peer-' + dir), { python: o.python, timeoutMs: o.peerTimeoutMs });
      if (r.status === 'ok') {
        const { block: _b, draws, ...metrics } = scoreRow(r.scores, ctx);
        allDraws[label] = draws;
        const eta = (r.info.params as Record<string, unknown> | undefined)?.eta;
        const note = r.info.best_iteration !== undefined ? `${String(r.info.best_iteration)} trees of at most ${String(r.info.max_rounds ?? '?')} (eta ${String(eta ?? '?')}, early stop on calib)` : r.info.C !== undefined ? `C=${String(r.info.C)} (picked on calib)` : undefined;
        out.push({ model: label, kind: 'peer', status: 'ok', ...metrics, trainSeconds: r.trainSeconds, note });
      } else {
        info(`bench quality: ${label} ${r.status}: ${r.reason}`);
        out.push({ model: label, kind: 'peer', status: r.status, reason: r.reason, ap: null, recallAt2Fpr: null, precisionTop1: null, coldStartRecallAt2Fpr: null, trainSeconds: null });
      }
      bar.tick(++done, dir);
    }
  }

  const oracleBy = new Map<string, number>();
  for (let i = 0; i < truth.n; i++) oracleBy.set(truth.videoId[i], truth.oracleP[i]);
  const oracle = Float64Array.from(testRows, (r) => oracleBy.get(table.videoId[r]) ?? NaN);
  const { block: _ob, draws: oracleDraws, ...om } = scoreRow(oracle, ctx);
  allDraws.oracle = oracleDraws;
  out.push({ model: 'oracle (simulator truth: P(harmful | everything))', kind: 'oracle', status: 'ok', ...om, trainSeconds: null, note: 'ceiling; scored against the same observed labels' });
  if (ds.sim.detector) {
    // Row order of the dataset = table order, so the detector's scores index like the table.
    const det = ds.sim.detector.score;
    const { block: _db, draws: detDraws, ...dm } = scoreRow(Float64Array.from(testRows, (r) => det[r]), ctx);
    allDraws[DETECTOR_ROW] = detDraws;
    out.push({ model: 'frame detector (knows the harm directions; simulator truth)', variant: DETECTOR_ROW, kind: 'reference', status: 'ok', ...dm, trainSeconds: null, note: 'max over frames of the projection on the true harm directions' });
  }
  bar.end();

  let testPositives = 0, coldPos = 0;
  for (let k = 0; k < testRows.length; k++) testPositives += ctx.labels[k];
  for (const k of ctx.coldPositions) coldPos += ctx.labels[k];
  return {
    preset: o.preset, seed: o.seed,
    rows: { total: table.n, train: trainRows.length, calib: calibRows.length, test: testRows.length, testPositives, coldStartTest: ctx.coldPositions.length, coldStartPositives: coldPos },
    rowsTable: out,
    timings: { generationS: ds.generationS, writeS: ds.writeS, splitS, preprocessS, noiseS, exportS },
    bootstrap: { resamples: cfg.eval.bootstrap, unit: 'creator', groups: new Set(ctx.groups).size },
    machine: { start, end: machineInfo() },
    artifacts: { table, truth, split, fitted, fusion: fusionWeights, negativeKeepRate: train.negativeKeepRate, datasetDir: ds.dir, draws: allDraws },
  };
}
