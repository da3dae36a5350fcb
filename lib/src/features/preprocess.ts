import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import type { FeaturesConfig } from './config.js';
import { encodeMeta, fitMetaEncoder, metaDim, type FittedMetaEncoder } from './metaEncoder.js';
import { encodeText, fitTextFeaturizer, textDim, textTerms, type FittedTextFeaturizer, type TextTerms } from './textFeaturizer.js';
import { textLinearValue, trainingLinearValues } from './textLinear.js';
import { fillSequence, fitSequenceScaler, paddedLength, type FittedSequenceScaler, type SequenceSource } from './sequence.js';

/**
 * The ONE preprocessing path: fitted on train rows only, serialised as plain JSON, and reused
 * verbatim by training, evaluation, export parity tests and serving.
 */
/**
 * 2: the L2-normalised hashed text block is multiplied by a fitted `termScale` (textFeaturizer.ts).
 * 3: the text block may be a fitted vocabulary (`text.kind = 'vocabulary'`, textVocabulary.ts).
 * 4: the text block may end with the stacked linear text score (`text.linear`, textLinear.ts).
 * Version-1 files (no factor), version-2 files (hashed, no `kind`) and version-3 files (no `linear`)
 * still load and transform as before.
 */
export const PREPROCESSOR_VERSION = 4;
const READABLE_VERSIONS = [1, 2, 3, 4];

export interface FittedPreprocessor {
  version: number;
  maxSequence: number;
  meta: FittedMetaEncoder;
  frames: FittedSequenceScaler;
  audio: FittedSequenceScaler;
  text: FittedTextFeaturizer;
  dims: { meta: number; frame: number; audio: number; text: number };
  /** sha256 of this object's JSON with `sha` set to ''. Identifies the fitted state in manifests. */
  sha: string;
}

/** The model input (layout in docs/ARCHITECTURE.md), row-major typed arrays. */
export interface FeatureBatch {
  B: number;
  /** Padded frame count (max kept frames in these rows). */
  T: number;
  /** Padded audio segment count, >= 1. */
  S: number;
  dims: { meta: number; frame: number; audio: number; text: number };
  meta: Float32Array;       // [B, Dm]
  frames: Float32Array;     // [B, T, Dv]
  frameMask: Float32Array;  // [B, T]
  audio: Float32Array;      // [B, S, Da]
  audioMask: Float32Array;  // [B, S]
  text: Float32Array;       // [B, Dt]
  avail: Float32Array;      // [B, 4] meta, visual, audio, text
}

/** Optional cache of transcript term frequencies per table row (training re-transforms rows every epoch). */
export type TextCache = (TextTerms | undefined)[];

function frameSource(t: VideoTable): SequenceSource {
  return { dim: t.frameDim, offsets: t.frameOffsets, emb: t.frameEmb };
}
function audioSource(t: VideoTable): SequenceSource {
  return { dim: t.audioDim, offsets: t.audioOffsets, emb: t.audioEmb };
}

export function preprocessorSha(p: Omit<FittedPreprocessor, 'sha'> | FittedPreprocessor): string {
  return sha256(JSON.stringify({ ...p, sha: '' }));
}

function checkRows(table: VideoTable, rows: ArrayLike<number>, field: string): void {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!Number.isInteger(r) || r < 0 || r >= table.n) {
      throw new VigilError(`'${field}': row index ${r} at position ${k} is outside the table (n=${table.n})`, { field, row: k });
    }
  }
}

export function fitPreprocessor(table: VideoTable, trainRows: ArrayLike<number>, cfg: FeaturesConfig): FittedPreprocessor {
  if (trainRows.length === 0) throw new VigilError("'trainRows': no training rows to fit the preprocessor on", { field: 'trainRows' });
  checkRows(table, trainRows, 'trainRows');
  // frameDim 0 is a dataset without frames: the scaler is empty and no visual tower is built.
  if (!Number.isInteger(table.frameDim) || table.frameDim < 0) throw new VigilError(`'frame_emb': embedding dimension must be an integer >= 0, got ${table.frameDim}`, { field: 'frame_emb' });
  const meta = fitMetaEncoder(table, trainRows, cfg);
  const frames = fitSequenceScaler(frameSource(table), trainRows);
  const audio = fitSequenceScaler(audioSource(table), trainRows);
  const text = fitTextFeaturizer(table, trainRows, cfg);
  const body = {
    version: PREPROCESSOR_VERSION, maxSequence: cfg.maxSequence, meta, frames, audio, text,
    dims: { meta: metaDim(meta), frame: frames.dim, audio: audio.dim, text: textDim(text) },
  };
  return { ...body, sha: preprocessorSha(body) };
}

/** Load a serialised preprocessor, checking its version and integrity. */
export function preprocessorFromJSON(json: unknown): FittedPreprocessor {
  const p = json as FittedPreprocessor;
  if (!p || typeof p !== 'object' || !READABLE_VERSIONS.includes(p.version)) {
    throw new VigilError(`'preprocessor.version': expected one of ${READABLE_VERSIONS.join(', ')}, got ${String((p as { version?: unknown })?.version)}`, { field: 'preprocessor.version' });
  }
  if (preprocessorSha(p) !== p.sha) throw new VigilError("'preprocessor.sha': content does not match its sha256 (edited or corrupted)", { field: 'preprocessor.sha' });
  return p;
}

/** The data's embedding dimensions must be the ones the preprocessor was fitted on. */
export function checkTableDims(fitted: FittedPreprocessor, table: VideoTable): void {
  // A table without any frame (a request to a model without a visual tower) carries no dimension to check.
  const anyFrame = table.frameOffsets[table.n] > 0;
  if ((anyFrame || table.frameDim !== 0) && table.frameDim !== fitted.dims.frame) {
    throw new VigilError(`'frame_emb': data has dimension ${table.frameDim} but the preprocessor was fitted on ${fitted.dims.frame}`, { field: 'frame_emb' });
  }
  const anyAudio = table.audioOffsets[table.n] > 0;
  if (anyAudio && table.audioDim !== fitted.dims.audio) {
    throw new VigilError(`'audio_emb': data has dimension ${table.audioDim} but the preprocessor was fitted on ${fitted.dims.audio}`, { field: 'audio_emb' });
  }
}

export function transform(fitted: FittedPreprocessor, table: VideoTable, rows: ArrayLike<number>, textCache?: TextCache): FeatureBatch {
  checkTableDims(fitted, table);
  checkRows(table, rows, 'rows');
  const B = rows.length;
  const { dims } = fitted;
  const cap = fitted.maxSequence;
  const T = paddedLength(frameSource(table), rows, cap, 1);
  const S = paddedLength(audioSource(table), rows, cap, 1);
  const batch: FeatureBatch = {
    B, T, S, dims: { ...dims },
    meta: new Float32Array(B * dims.meta),
    frames: new Float32Array(B * T * dims.frame),
    frameMask: new Float32Array(B * T),
    audio: new Float32Array(B * S * dims.audio),
    audioMask: new Float32Array(B * S),
    text: new Float32Array(B * dims.text),
    avail: new Float32Array(B * 4),
  };
  if (table.frameOffsets[table.n] > 0) fillSequence(fitted.frames, frameSource(table), rows, T, cap, batch.frames, batch.frameMask);
  if (table.audioOffsets[table.n] > 0) fillSequence(fitted.audio, audioSource(table), rows, S, cap, batch.audio, batch.audioMask);
  const linear = fitted.text.linear;
  // Out-of-fold values of the training rows: only on the in-memory preprocessor that fitted them.
  const trainingLinear = linear ? trainingLinearValues(linear) : undefined;
  for (let b = 0; b < B; b++) {
    const r = rows[b];
    encodeMeta(fitted.meta, table, r, batch.meta, b * dims.meta);
    let tf = textCache?.[r];
    if (!tf) {
      tf = textTerms(fitted.text, table.transcript[r]);
      if (textCache) textCache[r] = tf;
    }
    if (linear && tf.linear === undefined) {
      tf.linear = trainingLinear?.get(table.videoId[r]) ?? textLinearValue(linear, table.transcript[r]);
    }
    encodeText(fitted.text, table, r, batch.text, b * dims.text, tf);
    const audioAvail = table.hasAudio[r] === 1 && table.audioOffsets[r + 1] > table.audioOffsets[r];
    batch.avail[b * 4] = 1;
    // Every row of a dataset with frames has one; 0 only where the dataset (or request) has none.
    batch.avail[b * 4 + 1] = table.frameOffsets[r + 1] > table.frameOffsets[r] ? 1 : 0;
    batch.avail[b * 4 + 2] = audioAvail ? 1 : 0;
    // A transcript with at least one token is available, even when none of its terms is in the vocabulary.
    batch.avail[b * 4 + 3] = tf.present ? 1 : 0;
  }
  return batch;
}
