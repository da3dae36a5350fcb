/**
 * The end of a run: the serving bundle (model.onnx + preprocessor + policy + reason thresholds +
 * known-content index), the ONNX-vs-TF.js parity check, and in-process latency measured with the
 * same scorer the server uses.
 */
import { writeServingBundle, type ServingManifest } from '../export/bundle.js';
import { openFusionSession } from '../serve/onnxSession.js';
import { parityDiffs, type ParityDiffs } from '../export/parity.js';
import { buildFusionOnnx } from '../export/fusionGraph.js';
import { predictFusion } from '../model/predict.js';
import { transform, type FittedPreprocessor } from '../features/preprocess.js';
import { hasTranscript } from '../features/textFeaturizer.js';
import { sortedBatches } from '../model/batching.js';
import { applyCalibrator } from '../calibrate/apply.js';
import { fitReasonThresholds } from '../serve/reasonThresholds.js';
import { fitInputRanges } from '../serve/inputRanges.js';
import { rowsOfSplit } from '../model/train.js';
import { TRAIN } from '../split/types.js';
import { loadRunFolder } from '../serve/runFolder.js';
import { loadFittedPreprocessor } from '../serve/fittedPreprocessing.js';
import { loadKnownContent, buildKnownContent } from '../serve/knownContent.js';
import { measureLatency, type LatencyResult } from '../serve/latency.js';
import type { SplitResult } from '../split/split.js';
import type { FusionWeights } from '../model/weights.js';
import type { Calibrator } from '../calibrate/types.js';
import type { Policy } from '../policy/types.js';
import type { VideoTable } from '../data/table.js';
import type { ServingCheckConfig } from '../config.js';

export interface ParityResult extends ParityDiffs { rows: number; tolerance: number; passed: boolean }

/** ONNX (onnxruntime-node) vs TF.js on the same preprocessed batches of `rows`. */
export async function checkParity(
  weights: FusionWeights, calibrator: Calibrator, fitted: FittedPreprocessor, table: VideoTable,
  rows: number[], tolerance: number,
): Promise<ParityResult> {
  const session = await openFusionSession(buildFusionOnnx(weights, calibrator));
  const worst: ParityDiffs = { risk: 0, logit: 0, modalityLogits: 0, frameAttention: 0, audioAttention: 0, max: 0 };
  try {
    for (const batch of sortedBatches(table, rows, 256)) {
      const x = transform(fitted, table, batch);
      const tfOut = predictFusion(weights, x);
      const onnxOut = await session.run(x);
      const d = parityDiffs(
        { ...tfOut, risk: applyCalibrator(calibrator, tfOut.logit) },
        onnxOut,
        { frameMask: x.frameMask, audioMask: x.audioMask },
      );
      for (const k of Object.keys(worst) as (keyof ParityDiffs)[]) worst[k] = Math.max(worst[k], d[k]);
    }
  } finally {
    await session.release();
  }
  return { ...worst, rows: rows.length, tolerance, passed: worst.max <= tolerance };
}

export interface BundleInputs {
  runDir: string;
  modelVersion: string;
  weights: FusionWeights;
  calibrator: Calibrator;
  fitted: FittedPreprocessor;
  policy: Policy;
  table: VideoTable;
  calibRows: number[];
  calibModalityLogits: Float32Array;
  split: SplitResult;
  splitConfig: { bandBits: number; minCosine: number };
  /** Rows whose content is known to be blocked (train + calib positives): the known-content index. */
  blockedRows: number[];
}

export function writeBundle(b: BundleInputs): ServingManifest {
  const { table } = b;
  const labels = b.calibRows.map((r) => table.harmful[r]);
  const weights = b.calibRows.map((r) => table.weight[r]);
  const avail = new Float32Array(b.calibRows.length * 4);
  b.calibRows.forEach((r, k) => {
    avail[k * 4] = 1; avail[k * 4 + 1] = 1;
    avail[k * 4 + 2] = table.hasAudio[r];
    avail[k * 4 + 3] = hasTranscript(table, r) ? 1 : 0;
  });
  const reasonThresholds = fitReasonThresholds(b.calibModalityLogits, labels, weights, { avail, modelVersion: b.modelVersion });
  return writeServingBundle(b.runDir, {
    weights: b.weights, calibrator: b.calibrator, preprocessor: b.fitted, policy: b.policy,
    reasonThresholds, knownContent: buildKnownContent(b.split.fingerprinter, table, b.blockedRows, b.splitConfig), modelVersion: b.modelVersion,
    inputRanges: fitInputRanges(table, rowsOfSplit(b.split.assignment, TRAIN)),
  });
}

export interface LatencyCheck { frames18: LatencyResult; frames600: LatencyResult; selfCheckRisk: number }

/** Load the written run folder exactly as `vigil serve` does and time single-video requests. */
export async function checkServing(runDir: string, cfg: ServingCheckConfig): Promise<LatencyCheck> {
  const { scorer } = await loadRunFolder(runDir, { threads: cfg.threads, loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
  try {
    const frames18 = await measureLatency(scorer, { frames: 18, segments: 6, iterations: cfg.latencyIterations });
    const frames600 = await measureLatency(scorer, { frames: 600, segments: 150, iterations: Math.max(20, Math.round(cfg.latencyIterations / 4)) });
    return { frames18, frames600, selfCheckRisk: NaN };
  } finally {
    await scorer.close();
  }
}
