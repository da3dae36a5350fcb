/**
 * Real media → dataset rows. One video (or a folder of JPEG frames, optionally with one audio file)
 * becomes one VideoTable row in the docs/CONTRACTS.md schema:
 *   frames at 1 FPS → vision encoder ([dense embedding | 5 class probabilities] per frame),
 *   audio → 16 kHz mono → Silero VAD segments → signal-processing segment embeddings,
 *   ASR JSON beside the media → transcript / confidence / language,
 *   sidecar metadata and (optional) labels keyed by video_id.
 * Raw pixels and samples exist only in memory (and frames briefly in a private temp folder that is
 * always removed); only derived features leave this module.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { probeMedia, hasFfmpeg, type MediaInfo } from './ffmpeg.js';
import { readFrameFolder, sampleVideoFrames, FRAME_SIZE, type Frame } from './frames.js';
import { loadVisualEncoder, NSFW_CLASSES, VISUAL_MODEL, type VisualEncoder, type VisualLayer } from './visualEncoder.js';
import { AUDIO_DIM, AUDIO_FEATURES_ID, decodeAudio, embedAudio, type AudioOptions } from './audio.js';
import { loadVad, type Vad } from './vad.js';
import { readTranscript } from './transcript.js';
import { labelFromRow, metaFromRow, type VideoLabel, type VideoMeta } from './metadata.js';
import { rowTable } from './videoRows.js';

export interface ExtractorOptions {
  /** Which dense layer of the vision model gives the frame embedding (dense_1: 256-d, dense_2: 128-d). */
  layer?: VisualLayer;
  fps?: number;
}

const LAYER_DIMS: Record<VisualLayer, number> = { dense_1: 256, dense_2: 128 };

/**
 * Names the embedding spaces this extractor produces. A model trained on features with one id must
 * not score features with another (the scorer compares ids and refuses on mismatch).
 */
export function extractorId(opts: ExtractorOptions = {}): string {
  const layer = opts.layer ?? 'dense_1';
  const fps = opts.fps ?? 1;
  const visual = `${VISUAL_MODEL}/${layer}:${LAYER_DIMS[layer]}+probs:${NSFW_CLASSES.length}/${FRAME_SIZE}px`;
  return `vigil-extract-v1|frames@${fps}fps|visual=${visual}|audio=silero_vad+${AUDIO_FEATURES_ID}`;
}

/** The id of the default extractor (what `vigil extract` writes without options). */
export const EXTRACTOR_ID = extractorId();

export interface Extractor {
  id: string;
  fps: number;
  frameDim: number;
  audioDim: number;
  /** TF.js backend the vision model runs on. */
  backend: string;
  visual: VisualEncoder;
  vad: Vad;
  dispose(): void;
}

/** Load the models once (the vision model takes seconds); reuse the extractor for every video. */
export async function loadExtractor(opts: ExtractorOptions = {}): Promise<Extractor> {
  const visual = await loadVisualEncoder({ layer: opts.layer });
  if (visual.embDim !== LAYER_DIMS[visual.layer]) throw new VigilError(`visual encoder: ${visual.layer} has ${visual.embDim} dims, expected ${LAYER_DIMS[visual.layer]}`, { field: 'layer' });
  const vad = await loadVad();
  return {
    id: extractorId(opts), fps: opts.fps ?? 1, frameDim: visual.dim, audioDim: AUDIO_DIM, backend: visual.backend,
    visual, vad, dispose: () => visual.dispose(),
  };
}

export interface VideoOptions {
  /** Defaults to the file name without extension (the folder name for frame folders). */
  videoId?: string;
  /** Transcript file; default `<transcriptsDir or the media's folder>/<video_id>.json` when it exists. */
  transcriptPath?: string;
  transcriptsDir?: string;
  /** Sidecar rows keyed by video_id (see metadata.ts). */
  metadata?: Map<string, Record<string, unknown>>;
  /** When given, every video must have a label row; when absent the row is unlabelled (harmful = -1). */
  labels?: Map<string, Record<string, unknown>>;
  maxFrames?: number;
  /** Parent of the temporary frame folder. */
  tmpRoot?: string;
  audio?: AudioOptions;
}

export interface VideoStats {
  videoId: string;
  frames: number;
  audioSegments: number | null;
  speechSegments: number;
  seconds: number;
  /** Wall seconds per stage: decode (ffmpeg frames + audio), visual (model), audio (VAD + features). */
  stages: { decodeS: number; visualS: number; audioS: number };
  warnings: string[];
}

const AUDIO_EXT = /\.(wav|flac|mp3|m4a|aac|ogg|opus)$/i;

export function videoIdOf(path: string): string {
  const b = basename(path.replace(/[/\\]+$/, ''));
  return statSafeIsDir(path) ? b : b.slice(0, b.length - extname(b).length);
}

function statSafeIsDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Frames and (optionally) PCM of a video file or a frame folder. */
async function decodeInputs(path: string, ex: Extractor, opts: VideoOptions): Promise<{ frames: Frame[]; pcm: Float32Array | null; info: MediaInfo; warnings: string[] }> {
  const warnings: string[] = [];
  if (!existsSync(path)) throw new VigilError(`${path}: file does not exist`, { field: path });
  if (statSafeIsDir(path)) {
    const frames = readFrameFolder(path, { fps: ex.fps, maxFrames: opts.maxFrames });
    const audioFiles = readdirSync(path).filter((f) => AUDIO_EXT.test(f)).sort();
    if (audioFiles.length > 1) warnings.push(`several audio files in ${path}; using ${audioFiles[0]}`);
    let pcm: Float32Array | null = null;
    let info: MediaInfo = { hasVideo: true, hasAudio: false, durationS: frames.length / ex.fps, startS: 0 };
    if (audioFiles.length > 0) {
      if (!hasFfmpeg()) throw new VigilError(`${path}: decoding ${audioFiles[0]} needs ffmpeg (apt-get install -y ffmpeg)`, { field: path });
      const a = join(path, audioFiles[0]);
      const ai = await probeMedia(a);
      pcm = await decodeAudio(a, ai);
      info = { ...info, hasAudio: pcm !== null };
    }
    return { frames, pcm, info, warnings };
  }
  if (!hasFfmpeg()) throw new VigilError(`${path}: reading video needs ffmpeg and ffprobe (apt-get install -y ffmpeg)`, { field: path });
  const info = await probeMedia(path);
  if (!info.hasVideo) throw new VigilError(`${path}: has no video stream`, { field: path });
  const frames = await sampleVideoFrames(path, info, { fps: ex.fps, maxFrames: opts.maxFrames, tmpRoot: opts.tmpRoot });
  const pcm = await decodeAudio(path, info);
  return { frames, pcm, info, warnings };
}

/**
 * Extract one video into a 1-row VideoTable (plus what happened, for reports and benchmarks).
 * Throws a VigilError naming the file when the media cannot be read.
 */
export async function extractVideoWithStats(path: string, ex: Extractor, opts: VideoOptions = {}): Promise<{ table: VideoTable; stats: VideoStats }> {
  const t0 = performance.now();
  const id = opts.videoId ?? videoIdOf(path);
  const { frames, pcm, info, warnings } = await decodeInputs(path, ex, opts);
  const t1 = performance.now();
  const frameEmb = await ex.visual.embed(frames);
  const t2 = performance.now();
  const frameTs = Float32Array.from(frames.map((f) => f.ts));

  let audio: { ts: Float32Array; emb: Float32Array } | null = null;
  let speech = 0;
  if (pcm !== null) {
    const a = await embedAudio(pcm, ex.vad, opts.audio);
    audio = { ts: Float32Array.from(a.segments.map((s) => s.start)), emb: a.emb };
    speech = a.segments.filter((s) => s.isSpeech).length;
  }
  const t3 = performance.now();

  const tPath = opts.transcriptPath ?? join(opts.transcriptsDir ?? dirname(path.replace(/[/\\]+$/, '')), `${id}.json`);
  if (opts.transcriptPath && !existsSync(opts.transcriptPath)) throw new VigilError(`${opts.transcriptPath}: transcript file does not exist`, { field: 'transcript' });
  const tr = readTranscript(tPath);

  let meta: VideoMeta = {};
  if (opts.metadata) {
    const r = opts.metadata.get(id);
    if (r) meta = metaFromRow(r, `metadata for '${id}'`);
    else warnings.push(`no metadata row for '${id}'; defaults used`);
  }
  let label: VideoLabel | null = null;
  if (opts.labels) {
    const r = opts.labels.get(id);
    if (!r) throw new VigilError(`${path}: no label row for video_id '${id}' in the labels file`, { field: 'harmful' });
    label = labelFromRow(r, `labels for '${id}'`);
  }

  // Without metadata the upload time is the file's modification time: stable across reruns, and the
  // closest thing to an upload time a bare file has.
  const uploadTs = meta.uploadTs ?? Math.floor(statSync(path).mtimeMs);
  const durationS = meta.durationS ?? (Number.isFinite(info.durationS) ? info.durationS : frames.length / ex.fps);
  const table = rowTable({
    videoId: id, creatorId: meta.creatorId ?? 'unknown', uploadTs, durationS,
    country: meta.country ?? 'unknown', device: meta.device ?? 'unknown',
    accountAgeDays: meta.accountAgeDays ?? NaN, priorStrikes: meta.priorStrikes ?? NaN,
    uploadHour: meta.uploadHour ?? new Date(uploadTs).getUTCHours(),
    frameDim: ex.frameDim, frameTs, frameEmb, audioDim: ex.audioDim, audio,
    transcript: tr ? tr.text : null, asrConfidence: tr ? tr.asrConfidence : NaN, language: tr ? tr.language : null,
    harmful: label ? label.harmful : -1, policyTags: label ? label.policyTags : [], weight: label ? label.weight : 1,
  });
  const stats: VideoStats = {
    videoId: id, frames: frames.length, audioSegments: audio ? audio.ts.length : null, speechSegments: speech,
    seconds: (performance.now() - t0) / 1000,
    stages: { decodeS: (t1 - t0) / 1000, visualS: (t2 - t1) / 1000, audioS: (t3 - t2) / 1000 }, warnings,
  };
  return { table, stats };
}

let defaultExtractor: Promise<Extractor> | undefined;
/** The default extractor, loaded once per process. */
export function sharedExtractor(): Promise<Extractor> {
  defaultExtractor ??= loadExtractor();
  return defaultExtractor;
}

/**
 * One video → a 1-row VideoTable (for scoring a file end to end). Uses `opts.extractor`, else the
 * shared default one; compare its `id` (or EXTRACTOR_ID) with the training data's before scoring.
 */
export async function extractVideo(path: string, opts: VideoOptions & { extractor?: Extractor } = {}): Promise<VideoTable> {
  const ex = opts.extractor ?? (await sharedExtractor());
  return (await extractVideoWithStats(path, ex, opts)).table;
}
