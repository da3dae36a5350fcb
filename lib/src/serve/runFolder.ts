import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { OPTIONAL_SERVING_FILES, REQUIRED_SERVING_FILES, SERVING_FORMAT_VERSION } from '../export/bundle.js';
import { bundleManifestSchema, type ServingManifest } from '../artifacts/manifest.js';
import { parseRunFile, type RunFile, type RunFileName } from '../artifacts/runFiles.js';
import { fileSchemaError } from '../artifacts/issues.js';
import { sha256 } from '../util/hash.js';
import { VigilError } from '../util/errors.js';
import { openFusionSession } from './onnxSession.js';
import type { ServingPreprocessor } from './preprocessing.js';
import { createScorer, type KnownContentLookup, type Scorer, type ScoringPolicy } from './scorer.js';
import { INPUT_RANGES_FILE, rangesFromPreprocessor, rangesFromTraining, type InputRanges, type TrainingRanges } from './inputRanges.js';

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

/** A verified file parsed against its schema (artifacts/); off-schema → refused naming file and field. */
function readChecked<N extends RunFileName>(runDir: string, name: N, bytes: Buffer): RunFile<N> {
  const raw = readJson(runDir, name, bytes);
  try { return parseRunFile(name, raw); } catch (e) {
    return refuse(runDir, e instanceof VigilError && e.field ? e.field : name, (e as Error).message);
  }
}

/** Read and check the manifest's serving section and every file's sha256; returns the verified bytes. */
export function verifyRunFolder(runDir: string): { manifest: ServingManifest; extractor: string | null; files: Map<string, Buffer> } {
  const mPath = join(runDir, 'manifest.json');
  if (!existsSync(mPath)) refuse(runDir, 'manifest.json', 'manifest.json is missing');
  const raw = readJson(runDir, 'manifest.json', readFileSync(mPath));
  // Only the serving section decides what is served; the rest of the manifest is the run's record.
  const parsed = bundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const e = fileSchemaError('manifest.json', parsed.error);
    refuse(runDir, e.field ?? 'manifest.json', e.message);
  }
  const s = parsed.data.serving;
  if (!s) return refuse(runDir, 'manifest.json:serving', "manifest.json has no 'serving' section (the model was not exported)");
  if (s.formatVersion !== SERVING_FORMAT_VERSION) {
    refuse(runDir, 'manifest.json:serving.formatVersion', `serving bundle format ${String(s.formatVersion)} is not supported (this server reads ${SERVING_FORMAT_VERSION})`);
  }
  const files = new Map<string, Buffer>();
  const check = (name: string) => {
    const p = join(runDir, name);
    const entry = s.files[name];
    if (!entry) refuse(runDir, name, `${name} is not listed in the manifest`);
    if (!existsSync(p)) refuse(runDir, name, `${name} is missing`);
    const bytes = readFileSync(p);
    const got = sha256(bytes);
    if (got !== entry.sha256) refuse(runDir, name, `${name} sha256 ${got.slice(0, 12)}… does not match the manifest's ${entry.sha256.slice(0, 12)}…`);
    files.set(name, bytes);
  };
  for (const name of REQUIRED_SERVING_FILES) check(name);
  for (const name of OPTIONAL_SERVING_FILES) {
    if (s.files[name]) check(name);
    else if (existsSync(join(runDir, name))) refuse(runDir, name, `${name} is present but not listed in the manifest`);
  }
  return { manifest: s, extractor: parsed.data.extractor ?? null, files };
}

/** The thresholds serving applies, from policy.json (schema: artifacts/policy.ts). */
export function parsePolicy(runDir: string, bytes: Buffer): ScoringPolicy {
  const p = readChecked(runDir, 'policy.json', bytes);
  const version = p.version ? p.version : `policy-${sha256(bytes).slice(0, 12)}`;
  return { blockThreshold: p.block_threshold, queueThreshold: p.queue_threshold, blockEnabled: p.block_enabled !== false, version };
}

export function onnxMetadata(model: Uint8Array): Record<string, string> {
  const m = onnx.ModelProto.decode(model);
  const out: Record<string, string> = {};
  for (const e of m.metadataProps ?? []) if (e.key) out[e.key] = e.value ?? '';
  return out;
}

/** A file verifyRunFolder returned (every required file is in the map once verification passed). */
export function verifiedFile(runDir: string, files: Map<string, Buffer>, name: string): Buffer {
  const bytes = files.get(name);
  return bytes ?? refuse(runDir, name, `${name} is missing`);
}

export async function loadRunFolder(runDir: string, opts: LoadRunOptions): Promise<LoadedRun> {
  const { manifest, files } = verifyRunFolder(runDir);
  const model = verifiedFile(runDir, files, 'model.onnx');
  let meta: Record<string, string>;
  try { meta = onnxMetadata(model); } catch (e) { return refuse(runDir, 'model.onnx', `model.onnx cannot be decoded (${(e as Error).message})`); }
  if (meta.model_version !== manifest.modelVersion) {
    refuse(runDir, 'model.onnx', `model.onnx was exported as version '${meta.model_version ?? '(none)'}' but the manifest says '${manifest.modelVersion}'`);
  }
  const reasons = readChecked(runDir, 'reason_codes.json', verifiedFile(runDir, files, 'reason_codes.json'));
  if (reasons.modelVersion !== undefined && reasons.modelVersion !== manifest.modelVersion) {
    refuse(runDir, 'reason_codes.json', `reason_codes.json was fitted for '${reasons.modelVersion}', not '${manifest.modelVersion}'`);
  }
  const policy = parsePolicy(runDir, verifiedFile(runDir, files, 'policy.json'));
  const preprocessorJson = readJson(runDir, 'preprocessor.json', verifiedFile(runDir, files, 'preprocessor.json'));
  const preprocessor = opts.loadPreprocessor(preprocessorJson);
  const rangesBytes = files.get(INPUT_RANGES_FILE);
  const trainingRanges: TrainingRanges | null = rangesBytes ? readChecked(runDir, INPUT_RANGES_FILE, rangesBytes) : null;
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
