import type { TruthTable, VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { CALIB, TEST, TRAIN, type SplitAssignment } from '../split/types.js';
import { VigilError } from '../util/errors.js';
import { info } from '../util/progress.js';
import type { ModelConfig } from './config.js';
import type { ResolvedTrainConfig } from './recipe.js';
import { fitCart, predictCart, cartRules } from './baselines/cart.js';
import { fitPooledLogistic, scorePooledLogistic } from './baselines/logistic.js';
import { confidentLearning, type NoiseResult } from './noise.js';
import { averagePrecision, precisionAtTop, recallAtFpr } from '../stats/quickMetrics.js';
import { presentTowers } from './presentTowers.js';
import { scoreFusion } from './score.js';
import { rowsOfSplit, trainFusion, type EpochRecord, type TrainResult } from './train.js';

/**
 * Side-by-side training of the fusion model, its single-modality towers and the two baselines on the
 * same split and preprocessing, scored on the calibration and test windows with quick (point
 * estimate) metrics. The full evaluation with CIs is eval/'s job; this is for model selection and
 * the comparison table.
 */
export interface QuickMetrics { n: number; positives: number; ap: number; recallAt2Fpr: number; precisionTop1: number }

export interface ModelComparison {
  name: string;
  seconds: number;
  calib: QuickMetrics;
  test: QuickMetrics;
  /** The same test rows scored against the simulator's true labels (when a truth table is given). */
  testTrue?: QuickMetrics;
  bestEpoch?: number;
  rowsPerSec?: number;
  /** Per-epoch training record (fusion and tower variants). */
  history?: EpochRecord[];
  /** The trained network (fusion and tower variants): a tower the run may export instead of the fusion. */
  train?: TrainResult;
  /** Calibration-window scores aligned with the calibration rows (higher = riskier), for model selection. */
  calibScores: Float32Array;
  /** Printable rules (CART). */
  rules?: string;
  /** Test-window scores aligned with `testRows` (higher = riskier), for downstream CIs. */
  testScores: Float32Array;
}

/**
 * `fusion` is the configured model; `fusion:<pooling>` swaps the pooling; `fusion:confident_learning`
 * and `fusion:no_noise` force label-noise handling on / off; `tower:<name>` trains one tower alone.
 */
export const VARIANTS = ['fusion', 'fusion:mean', 'fusion:max', 'fusion:attention', 'fusion:confident_learning', 'fusion:no_noise',
  'tower:meta', 'tower:visual', 'tower:audio', 'tower:text', 'cart', 'logistic'] as const;
export const DEFAULT_VARIANTS = ['fusion', 'fusion:mean', 'fusion:no_noise', 'tower:meta', 'tower:visual', 'tower:audio', 'tower:text', 'cart', 'logistic'];

export function quickMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>): QuickMetrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  return {
    n: labels.length, positives, ap: averagePrecision(scores, labels, weights),
    recallAt2Fpr: recallAtFpr(scores, labels, 0.02, weights), precisionTop1: precisionAtTop(scores, labels, 0.01, weights),
  };
}

export interface CompareOptions {
  variants?: string[];
  truth?: TruthTable;
  /** Precomputed label-noise result shared by the fusion variants. */
  noise?: NoiseResult;
}

export async function compareModels(table: VideoTable, split: SplitAssignment, fitted: FittedPreprocessor,
  cfg: { model: ModelConfig; train: ResolvedTrainConfig }, opts: CompareOptions = {}): Promise<{ testRows: number[]; models: ModelComparison[]; noise?: NoiseResult }> {
  const variants = opts.variants ?? DEFAULT_VARIANTS;
  for (const v of variants) if (!(VARIANTS as readonly string[]).includes(v)) throw new VigilError(`'variants': unknown model variant '${v}' (known: ${VARIANTS.join(', ')})`, { field: 'variants' });
  const trainRows = rowsOfSplit(split, TRAIN), calibRows = rowsOfSplit(split, CALIB), testRows = rowsOfSplit(split, TEST);
  const labels = (rows: number[]) => rows.map((r) => table.harmful[r]);
  const wts = (rows: number[]) => rows.map((r) => table.weight[r]);
  let trueTest: number[] | undefined;
  if (opts.truth) {
    const m = new Map<string, number>();
    for (let i = 0; i < opts.truth.n; i++) m.set(opts.truth.videoId[i], opts.truth.trueHarmful[i]);
    trueTest = testRows.map((r) => m.get(table.videoId[r]) ?? NaN);
  }
  const noiseFor = (v: string): ResolvedTrainConfig['noise'] =>
    v === 'fusion:no_noise' ? 'none' : v === 'fusion:confident_learning' ? 'confident_learning' : cfg.train.noise;
  const noise = variants.some((v) => (v.startsWith('fusion') || v.startsWith('tower:')) && noiseFor(v) === 'confident_learning')
    ? opts.noise ?? confidentLearning(table, split, fitted, cfg.train) : undefined;
  const out: ModelComparison[] = [];
  const record = (name: string, start: number, calibS: ArrayLike<number>, testS: ArrayLike<number>, extra: Partial<ModelComparison> = {}) => {
    const m: ModelComparison = {
      name, seconds: (Date.now() - start) / 1000,
      calib: quickMetrics(calibS, labels(calibRows), wts(calibRows)), test: quickMetrics(testS, labels(testRows), wts(testRows)),
      testTrue: trueTest ? quickMetrics(testS, trueTest, wts(testRows)) : undefined, testScores: Float32Array.from(testS),
      calibScores: Float32Array.from(calibS), ...extra,
    };
    info(`${name}: calib AP ${m.calib.ap.toFixed(4)} test AP ${m.test.ap.toFixed(4)} R@2%FPR ${m.test.recallAt2Fpr.toFixed(3)} P@1% ${m.test.precisionTop1.toFixed(3)} (${m.seconds.toFixed(1)}s)`);
    out.push(m);
  };
  for (const v of variants) {
    const start = Date.now();
    if (v.startsWith('fusion') || v.startsWith('tower:')) {
      const model: ModelConfig = { ...cfg.model };
      if (['fusion:mean', 'fusion:max', 'fusion:attention'].includes(v)) model.pooling = v.slice(7);
      if (v.startsWith('tower:')) model.towers = [v.slice(6) as ModelConfig['towers'][number]];
      // A modality the data lacks is not a tower: fusion variants go without it, its tower variant is skipped.
      let present: ReturnType<typeof presentTowers>;
      try { present = presentTowers(table, trainRows, model.towers); } catch (e) {
        if (!(e instanceof VigilError)) throw e;
        info(`${v}: skipped — ${e.message}`);
        continue;
      }
      model.towers = present.towers;
      const train: ResolvedTrainConfig = { ...cfg.train, noise: noiseFor(v) };
      const res = await trainFusion(table, split, fitted, { model, train }, { noise: train.noise === 'none' ? undefined : noise, quiet: true });
      record(v, start, scoreFusion(res.weights, fitted, table, calibRows).logit, scoreFusion(res.weights, fitted, table, testRows).logit,
        { bestEpoch: res.bestEpoch, rowsPerSec: res.rowsPerSec, history: res.history, train: res });
    } else if (v === 'cart') {
      const m = fitCart(table, trainRows, fitted);
      record(v, start, predictCart(m, table, calibRows), predictCart(m, table, testRows), { rules: cartRules(m) });
    } else if (v === 'logistic') {
      const m = fitPooledLogistic(table, fitted, trainRows, { seed: cfg.train.seed, positiveWeight: cfg.train.positiveWeight });
      record(v, start, scorePooledLogistic(m, fitted, table, calibRows), scorePooledLogistic(m, fitted, table, testRows));
    }
  }
  return { testRows, models: out, noise };
}
