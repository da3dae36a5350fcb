import * as ort from 'onnxruntime-node';
import type { FusionInputs, FusionOutputs } from '../export/contract.js';

/**
 * The fusion graph loaded in onnxruntime-node (CPU), fed with a preprocessed batch.
 * One session per process; onnxruntime serialises nothing for us, but Node runs one request's
 * `run` at a time per await chain, and the session itself is safe to call concurrently.
 */
export interface FusionSession {
  run(x: FusionInputs): Promise<FusionOutputs>;
  release(): Promise<void>;
  /** Per-item input sizes; 0 for a modality the graph takes no input for. */
  dims: { metaDim: number; frameDim: number; audioDim: number; textDim: number };
}

export async function openFusionSession(model: Uint8Array, opts: { threads?: number } = {}): Promise<FusionSession> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputs = new Set(session.inputNames);
  /** An input's fixed size on `axis`; 0 when the graph has no such input (the model has no tower for it). */
  const dimOf = (name: string, axis: number): number => {
    if (!inputs.has(name)) return 0;
    const meta = session.inputMetadata.find((m) => m.name === name);
    const d = meta?.isTensor ? meta.shape[axis] : undefined;
    if (typeof d !== 'number') throw new Error(`model.onnx: input '${name}' has no fixed size on axis ${axis}`);
    return d;
  };
  const dims = {
    metaDim: dimOf('meta', 1), frameDim: dimOf('frames', 2), audioDim: dimOf('audio', 2), textDim: dimOf('text', 1),
  };
  return {
    dims,
    async run(x) {
      const t = (data: Float32Array, shape: number[]) => new ort.Tensor('float32', data, shape);
      // Only the inputs the graph declares: a model without a tower has no input for its modality.
      const all: Record<string, () => ort.Tensor> = {
        meta: () => t(x.meta, [x.B, dims.metaDim]),
        frames: () => t(x.frames, [x.B, x.T, dims.frameDim]),
        frame_mask: () => t(x.frameMask, [x.B, x.T]),
        audio: () => t(x.audio, [x.B, x.S, dims.audioDim]),
        audio_mask: () => t(x.audioMask, [x.B, x.S]),
        text: () => t(x.text, [x.B, dims.textDim]),
        avail: () => t(x.avail, [x.B, 4]),
      };
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of inputs) {
        const make = all[name];
        if (!make) throw new Error(`model.onnx: unknown input '${name}'`);
        feeds[name] = make();
      }
      const r = await session.run(feeds);
      const get = (k: string) => r[k].data as Float32Array;
      return {
        risk: get('risk'), logit: get('logit'), modalityLogits: get('modality_logits'),
        frameAttention: get('frame_attention'), audioAttention: get('audio_attention'),
      };
    },
    release: () => session.release(),
  };
}
