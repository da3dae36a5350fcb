import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Calibrator, FusionWeights } from './contract.js';
import { buildFusionOnnx } from './fusionGraph.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';

/**
 * The serving bundle of a run folder: `model.onnx`, `preprocessor.json`, `policy.json`,
 * `reason_codes.json` (and optionally `known_content.json`), versioned together by a `serving`
 * section in `manifest.json` that records the model version and each file's sha256. The server
 * refuses a folder whose files do not match it.
 */
export const SERVING_FORMAT_VERSION = 1;
export const REQUIRED_SERVING_FILES = ['model.onnx', 'preprocessor.json', 'policy.json', 'reason_codes.json'] as const;
export const OPTIONAL_SERVING_FILES = ['known_content.json', 'input_ranges.json'] as const;

export interface ServingManifest {
  formatVersion: number;
  modelVersion: string;
  /** ISO time the bundle was written. */
  exportedAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

export interface ServingBundle {
  weights: FusionWeights;
  calibrator: Calibrator;
  /** The fitted preprocessor's JSON (from features/). */
  preprocessor: unknown;
  /** policy.json content (block_threshold, queue_threshold, ...). */
  policy: Record<string, unknown>;
  /** reason_codes.json content (fitReasonThresholds). */
  reasonThresholds: Record<string, unknown> | object;
  /** known_content.json content (fingerprint index of blocked content), if any. */
  knownContent?: unknown;
  /** input_ranges.json content (serve/inputRanges.ts `fitInputRanges` on the training rows), if any. */
  inputRanges?: unknown;
  /** Run id or another stable version string; stamped into model.onnx and the manifest. */
  modelVersion: string;
}

/** Write the bundle into `runDir` and merge the `serving` section into its manifest.json. */
export function writeServingBundle(runDir: string, b: ServingBundle): ServingManifest {
  if (!b.modelVersion) throw new VigilError('serving bundle: modelVersion is required', { field: 'modelVersion' });
  const contents: Record<string, Uint8Array | string> = {
    'model.onnx': buildFusionOnnx(b.weights, b.calibrator, { modelVersion: b.modelVersion, metadata: { model_version: b.modelVersion } }),
    'preprocessor.json': JSON.stringify(b.preprocessor) + '\n',
    'policy.json': JSON.stringify(b.policy, null, 2) + '\n',
    'reason_codes.json': JSON.stringify({ ...b.reasonThresholds, modelVersion: b.modelVersion }, null, 2) + '\n',
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
  let manifest: Record<string, unknown> = {};
  if (existsSync(manifestPath)) {
    try { manifest = JSON.parse(readFileSync(manifestPath, 'utf8')); } catch (e) {
      throw new VigilError(`${manifestPath} is not valid JSON: ${(e as Error).message}`, { field: 'manifest.json' });
    }
  }
  writeJsonAtomic(manifestPath, { ...manifest, serving });
  return serving;
}
