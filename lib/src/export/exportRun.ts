import type { VideoTable } from '../data/table.js';
import { transform, type FittedPreprocessor } from '../features/preprocess.js';
import type { Fingerprinter } from '../split/fingerprint.js';
import type { Calibrator, FusionWeights } from './contract.js';
import { buildFusionOnnx } from './fusionGraph.js';
import { writeServingBundle, type ServingManifest } from './bundle.js';
import { openFusionSession } from '../serve/onnxSession.js';
import { fitReasonThresholds, type ReasonThresholds } from '../serve/reasonThresholds.js';
import { buildKnownContent } from '../serve/knownContent.js';
import { loadRunFolder } from '../serve/runFolder.js';
import { loadFittedPreprocessor } from '../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../serve/knownContent.js';
import { selfCheck } from '../serve/selfCheck.js';
import { measureLatency, type LatencyResult } from '../serve/latency.js';
import { VigilError } from '../util/errors.js';

/**
 * The export stage of a run in one call: fit the reason-code thresholds on the calibration window
 * with the exported graph itself (so the thresholds are in exactly the served model's units), build
 * the known-content index of blocked uploads, and write the versioned serving bundle.
 */
export interface ExportRunInput {
  weights: FusionWeights;
  calibrator: Calibrator;
  preprocessor: FittedPreprocessor;
  /** policy.json content. */
  policy: Record<string, unknown>;
  table: VideoTable;
  /** Calibration-window rows (reason thresholds are fitted on them). */
  calibRows: ArrayLike<number>;
  /** Uploads whose content is known-bad (e.g. harmful training + calibration rows); omit for no index. */
  blockedRows?: ArrayLike<number>;
  /** Fingerprinter fitted by the split (needed with blockedRows). */
  fingerprinter?: Fingerprinter;
  nearDup?: { bandBits: number; minCosine: number };
  modelVersion: string;
  /** Share of calibration negatives allowed above each reason threshold (default 0.01). */
  reasonTail?: number;
}

export async function exportRun(runDir: string, o: ExportRunInput): Promise<{ serving: ServingManifest; reasons: ReasonThresholds }> {
  const rows = Array.from(o.calibRows);
  if (rows.length === 0) throw new VigilError('export: no calibration rows to fit reason thresholds on', { field: 'calibRows' });
  const session = await openFusionSession(buildFusionOnnx(o.weights, o.calibrator));
  const ml: number[] = [], avail: number[] = [];
  try {
    for (let k = 0; k < rows.length; k += 128) {
      const x = transform(o.preprocessor, o.table, rows.slice(k, k + 128));
      const out = await session.run(x);
      for (const v of out.modalityLogits) ml.push(v);
      for (const v of x.avail) avail.push(v);
    }
  } finally {
    await session.release();
  }
  const reasons = fitReasonThresholds(ml, rows.map((i) => o.table.harmful[i]), rows.map((i) => o.table.weight[i]),
    { tail: o.reasonTail, avail, modelVersion: o.modelVersion });
  let knownContent: unknown;
  if (o.blockedRows && o.blockedRows.length > 0) {
    if (!o.fingerprinter || !o.nearDup) throw new VigilError('export: blockedRows need a fingerprinter and nearDup settings', { field: 'fingerprinter' });
    knownContent = buildKnownContent(o.fingerprinter, o.table, o.blockedRows, o.nearDup);
  }
  const serving = writeServingBundle(runDir, {
    weights: o.weights, calibrator: o.calibrator, preprocessor: o.preprocessor, policy: o.policy,
    reasonThresholds: reasons, knownContent, modelVersion: o.modelVersion,
  });
  return { serving, reasons };
}

/** The serving check of a run: load the folder as the server would, self-check, and time 18- and 600-frame videos. */
export async function servingCheck(runDir: string, opts: { iterations?: number } = {}): Promise<{
  ready: true; selfCheckMs: number; latency: LatencyResult[];
}> {
  const { scorer } = await loadRunFolder(runDir, { loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
  try {
    const check = await selfCheck(scorer);
    const latency: LatencyResult[] = [];
    for (const frames of [18, 600]) latency.push(await measureLatency(scorer, { frames, iterations: opts.iterations ?? 50, warmup: 5 }));
    return { ready: true, selfCheckMs: Math.round(check.ms * 1000) / 1000, latency };
  } finally {
    await scorer.close();
  }
}
