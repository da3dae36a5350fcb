import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Calibrator, FusionWeights } from './contract.js';
import { buildFusionOnnx } from './fusionGraph.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import type { ServingManifest } from '../artifacts/manifest.js';
import { checkRunFile, decodeJson, type RunFileInput } from '../artifacts/runFiles.js';
import type { ReasonCodesFile } from '../artifacts/reasonCodes.js';
import type { InputRangesFile } from '../artifacts/inputRanges.js';

export type { ServingManifest };

/**
 * The serving bundle of a run folder: `model.onnx`, `preprocessor.json`, `policy.json`,
 * `reason_codes.json` (and optionally `known_content.json`), versioned together by a `serving`
 * section in `manifest.json` that records the model version and each file's sha256. The server
 * refuses a folder whose files do not match it.
 */
export const SERVING_FORMAT_VERSION = 1;
export const REQUIRED_SERVING_FILES = ['model.onnx', 'preprocessor.json', 'policy.json', 'reason_codes.json'] as const;
export const OPTIONAL_SERVING_FILES = ['known_content.json', 'input_ranges.json'] as const;

export interface ServingBundle {
  weights: FusionWeights;
  calibrator: Calibrator;
  /** The fitted preprocessor's JSON (from features/). */
  preprocessor: unknown;
  /** policy.json content (block_threshold, queue_threshold, ...). */
  policy: RunFileInput<'policy.json'>;
  /** reason_codes.json content (serve/reasonThresholds.ts fitReasonThresholds). */
  reasonThresholds: ReasonCodesFile;
  /** known_content.json content (fingerprint index of blocked content), if any. */
  knownContent?: unknown;
  /** input_ranges.json content (serve/inputRanges.ts `fitInputRanges` on the training rows), if any. */
  inputRanges?: InputRangesFile;
  /** Run id or another stable version string; stamped into model.onnx and the manifest. */
  modelVersion: string;
}

/** Write the bundle into `runDir` and merge the `serving` section into its manifest.json. */
export function writeServingBundle(runDir: string, b: ServingBundle): ServingManifest {
  if (!b.modelVersion) throw new VigilError('serving bundle: modelVersion is required', { field: 'modelVersion' });
  // What serving will parse, checked against the same schemas before anything is written.
  const reasonCodes = { ...b.reasonThresholds, modelVersion: b.modelVersion };
  checkRunFile('policy.json', b.policy);
  checkRunFile('reason_codes.json', reasonCodes);
  if (b.inputRanges !== undefined) checkRunFile('input_ranges.json', b.inputRanges);
  const contents: Record<string, Uint8Array | string> = {
    'model.onnx': buildFusionOnnx(b.weights, b.calibrator, { modelVersion: b.modelVersion, metadata: { model_version: b.modelVersion } }),
    'preprocessor.json': JSON.stringify(b.preprocessor) + '\n',
    'policy.json': JSON.stringify(b.policy, null, 2) + '\n',
    'reason_codes.json': JSON.stringify(reasonCodes, null, 2) + '\n',
  };
  if (b.knownContent !== undefined) contents['known_content.json'] = JSON.stringify(b.knownContent) + '\n';
  if (b.inputRanges !== undefined) contents['input_ranges.json'] = JSON.stringify(b.inputRanges) + '\n';
  const files: ServingManifest['files'] = {};
  for (const [name, data] of Object.entries(contents)) {
    writeFileAtomic(join(runDir, name), data);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    files[name] = { sha256: sha256(data), bytes };
  }
  const serving: ServingManifest = {
    formatVersion: SERVING_FORMAT_VERSION, modelVersion: b.modelVersion, exportedAt: new Date().toISOString(), files,
  };
  const manifestPath = join(runDir, 'manifest.json');
  const previous = existsSync(manifestPath) ? decodeJson(readFileSync(manifestPath, 'utf8'), 'manifest.json', manifestPath) : {};
  if (typeof previous !== 'object' || previous === null || Array.isArray(previous)) {
    throw new VigilError(`${manifestPath}: expected a JSON object`, { field: 'manifest.json' });
  }
  writeJsonAtomic(manifestPath, { ...previous, serving });
  return serving;
}
