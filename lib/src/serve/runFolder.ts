import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { OPTIONAL_SERVING_FILES, REQUIRED_SERVING_FILES, SERVING_FORMAT_VERSION, type ServingManifest } from '../export/bundle.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';
import { openFusionSession } from './onnxSession.js';
import type { ServingPreprocessor } from './preprocessing.js';
import { validateReasonThresholds } from './reasonThresholds.js';
import { createScorer, type KnownContentLookup, type Scorer, type ScoringPolicy } from './scorer.js';
import { INPUT_RANGES_FILE, rangesFromPreprocessor, rangesFromTraining, trainingRangesProblem, type InputRanges, type TrainingRanges } from './inputRanges.js';

/**
 * Load a run folder for serving, refusing anything that does not match its manifest: every file's
 * sha256, the model version stamped into model.onnx and reason_codes.json, and the bundle format.
 * A server started from a folder where one file was swapped would serve a model/policy/preprocessing
 * combination nobody evaluated — so it does not start.
 */
export interface LoadRunOptions {
  threads?: number;
  maxItems?: number;
  /** Turns preprocessor.json into the shared preprocessing (features/). */
  loadPreprocessor: (json: unknown) => ServingPreprocessor;
  /** Turns known_content.json into a lookup (split/ fingerprints), when the folder has one. */
  loadKnownContent?: (json: unknown) => KnownContentLookup;
}

export interface LoadedRun {
  scorer: Scorer;
  manifest: ServingManifest;
  /** model.onnx metadata (pooling, fusion, towers, calibrator, model_version). */
  modelMetadata: Record<string, string>;
}

function refuse(runDir: string, field: string, why: string): never {
  throw new VigilError(`run folder ${runDir}: ${why} — refusing to serve`, { field });
}

function readJson(runDir: string, name: string, bytes: Buffer): unknown {
  try { return JSON.parse(bytes.toString('utf8')); } catch (e) {
    return refuse(runDir, name, `${name} is not valid JSON (${(e as Error).message})`);
  }
}

/** Read and check the manifest's serving section and every file's sha256; returns the verified bytes. */
export function verifyRunFolder(runDir: string): { manifest: ServingManifest; files: Map<string, Buffer> } {
  const mPath = join(runDir, 'manifest.json');
  if (!existsSync(mPath)) refuse(runDir, 'manifest.json', 'manifest.json is missing');
  const m = readJson(runDir, 'manifest.json', readFileSync(mPath)) as { serving?: ServingManifest };
  const s = m.serving;
  if (!s || typeof s !== 'object') refuse(runDir, 'manifest.json:serving', "manifest.json has no 'serving' section (the model was not exported)");
  if (s.formatVersion !== SERVING_FORMAT_VERSION) {
    refuse(runDir, 'manifest.json:serving.formatVersion', `serving bundle format ${String(s.formatVersion)} is not supported (this server reads ${SERVING_FORMAT_VERSION})`);
  }
  if (typeof s.modelVersion !== 'string' || !s.modelVersion) refuse(runDir, 'manifest.json:serving.modelVersion', 'manifest has no model version');
  const files = new Map<string, Buffer>();
  const check = (name: string) => {
    const p = join(runDir, name);
    const entry = s.files?.[name];
    if (!entry) refuse(runDir, name, `${name} is not listed in the manifest`);
    if (!existsSync(p)) refuse(runDir, name, `${name} is missing`);
    const bytes = readFileSync(p);
    const got = sha256(bytes);
    if (got !== entry.sha256) refuse(runDir, name, `${name} sha256 ${got.slice(0, 12)}… does not match the manifest's ${String(entry.sha256).slice(0, 12)}…`);
    files.set(name, bytes);
  };
  for (const name of REQUIRED_SERVING_FILES) check(name);
  for (const name of OPTIONAL_SERVING_FILES) {
    if (s.files?.[name]) check(name);
    else if (existsSync(join(runDir, name))) refuse(runDir, name, `${name} is present but not listed in the manifest`);
  }
  return { manifest: s, files };
}

export function parsePolicy(runDir: string, raw: unknown, bytes: Buffer): ScoringPolicy {
  const p = raw as Record<string, unknown>;
  const num = (k: string): number => {
    const v = p?.[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) refuse(runDir, `policy.json:${k}`, `policy.json '${k}' must be a probability in [0, 1], got ${JSON.stringify(v)}`);
    return v as number;
  };
  const blockThreshold = num('block_threshold');
  const queueThreshold = num('queue_threshold');
  if (queueThreshold > blockThreshold) refuse(runDir, 'policy.json:queue_threshold', `policy.json queue_threshold ${queueThreshold} is above block_threshold ${blockThreshold}`);
  if (p.block_enabled !== undefined && typeof p.block_enabled !== 'boolean') refuse(runDir, 'policy.json:block_enabled', 'policy.json block_enabled must be true or false');
  const version = typeof p.version === 'string' && p.version ? p.version : `policy-${sha256(bytes).slice(0, 12)}`;
  return { blockThreshold, queueThreshold, blockEnabled: p.block_enabled !== false, version };
}

export function onnxMetadata(model: Uint8Array): Record<string, string> {
  const m = onnx.ModelProto.decode(model);
  const out: Record<string, string> = {};
  for (const e of m.metadataProps ?? []) if (e.key) out[e.key] = e.value ?? '';
  return out;
}

export async function loadRunFolder(runDir: string, opts: LoadRunOptions): Promise<LoadedRun> {
  const { manifest, files } = verifyRunFolder(runDir);
  const model = files.get('model.onnx') as Buffer;
  let meta: Record<string, string>;
  try { meta = onnxMetadata(model); } catch (e) { return refuse(runDir, 'model.onnx', `model.onnx cannot be decoded (${(e as Error).message})`); }
  if (meta.model_version !== manifest.modelVersion) {
    refuse(runDir, 'model.onnx', `model.onnx was exported as version '${meta.model_version ?? '(none)'}' but the manifest says '${manifest.modelVersion}'`);
  }
  const reasonsJson = readJson(runDir, 'reason_codes.json', files.get('reason_codes.json') as Buffer) as { modelVersion?: string };
  if (reasonsJson.modelVersion !== undefined && reasonsJson.modelVersion !== manifest.modelVersion) {
    refuse(runDir, 'reason_codes.json', `reason_codes.json was fitted for '${reasonsJson.modelVersion}', not '${manifest.modelVersion}'`);
  }
  const reasons = validateReasonThresholds(reasonsJson);
  const policyBytes = files.get('policy.json') as Buffer;
  const policy = parsePolicy(runDir, readJson(runDir, 'policy.json', policyBytes), policyBytes);
  const preprocessorJson = readJson(runDir, 'preprocessor.json', files.get('preprocessor.json') as Buffer);
  const preprocessor = opts.loadPreprocessor(preprocessorJson);
  const rangesBytes = files.get(INPUT_RANGES_FILE);
  let trainingRanges: TrainingRanges | null = null;
  if (rangesBytes) {
    const json = readJson(runDir, INPUT_RANGES_FILE, rangesBytes);
    const problem = trainingRangesProblem(json);
    if (problem) refuse(runDir, INPUT_RANGES_FILE, problem);
    trainingRanges = json as TrainingRanges;
  }
  let knownContent: KnownContentLookup | null = null;
  const kc = files.get('known_content.json');
  if (kc) {
    if (!opts.loadKnownContent) refuse(runDir, 'known_content.json', 'known_content.json is present but this server cannot read it');
    knownContent = opts.loadKnownContent(readJson(runDir, 'known_content.json', kc));
  }
  let session;
  try { session = await openFusionSession(model, { threads: opts.threads }); } catch (e) {
    return refuse(runDir, 'model.onnx', `onnxruntime cannot load model.onnx (${(e as Error).message})`);
  }
  const towers = (meta.towers ?? '').split(',').filter((t) => t.length > 0);
  // Bundles exported before input_ranges.json existed fall back to the preprocessor's statistics.
  const inputRanges: InputRanges = trainingRanges
    ? rangesFromTraining(trainingRanges, session.dims)
    : rangesFromPreprocessor(preprocessorJson, session.dims);
  const scorer = createScorer({
    session, preprocessor, policy, reasons, towers, modelVersion: manifest.modelVersion, knownContent, maxItems: opts.maxItems, inputRanges,
  });
  return { scorer, manifest, modelMetadata: meta };
}
