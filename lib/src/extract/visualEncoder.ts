/**
 * The per-frame vision encoder: the MobileNetV2 explicit-content classifier whose weights ship inside
 * the `nsfwjs` npm package (no download). One forward pass gives both
 *   - an intermediate dense layer's activations (`dense_1`, 256-d ReLU, by default): a general visual
 *     embedding fine-tuned on moderation imagery, and
 *   - the head's 5 class probabilities (Drawing, Hentai, Neutral, Porn, Sexy): a moderation-specific
 *     signal worth keeping both as model input and as evidence for reason codes.
 * The stored frame embedding is the concatenation [embedding | probabilities], so Dv = 256 + 5 = 261;
 * the probabilities sit at `probOffset .. probOffset + 5` (see `visualLayout`).
 */
import * as tf from '@tensorflow/tfjs';
import { VigilError } from '../util/errors.js';
import { initBackend } from '../model/backend.js';
import { FRAME_SIZE, type Frame } from './frames.js';

export const NSFW_CLASSES = ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] as const;
export const VISUAL_MODEL = 'nsfwjs-4.4-MobileNetV2';
export type VisualLayer = 'dense_1' | 'dense_2';
const HEAD_LAYER = 'dense_3';

export interface VisualEncoder {
  /** Names the embedding space: model, layer, dims. Equal ids ⇔ comparable embeddings. */
  id: string;
  layer: VisualLayer;
  /** Width of the layer's embedding (without the class probabilities). */
  embDim: number;
  /** Stored frame embedding width: embDim + 5 class probabilities. */
  dim: number;
  backend: string;
  /** [frames.length x dim] row-major. */
  embed(frames: Frame[]): Promise<Float32Array>;
  dispose(): void;
}

/** Where each part lives inside a stored frame embedding of the given width. */
export function visualLayout(dim: number): { embDim: number; probOffset: number; classes: readonly string[] } {
  return { embDim: dim - NSFW_CLASSES.length, probOffset: dim - NSFW_CLASSES.length, classes: NSFW_CLASSES };
}

/** Frames per forward pass: large enough to amortise kernel dispatch, small enough for little memory. */
const BATCH = 8;

export async function loadVisualEncoder(opts: { layer?: VisualLayer } = {}): Promise<VisualEncoder> {
  const layerName = opts.layer ?? 'dense_1';
  const backend = await initBackend('auto');
  const nsfw = await import('nsfwjs');
  // nsfwjs prints a hosting hint to stdout on every load; silence it so CLI output stays clean.
  const info = console.info;
  console.info = () => undefined;
  let net: Awaited<ReturnType<typeof nsfw.load>>;
  try {
    net = await nsfw.load('MobileNetV2');
  } finally {
    console.info = info;
  }
  const base = net.model as tf.LayersModel;
  if (!('layers' in base)) throw new VigilError('visual encoder: expected a layers model from nsfwjs', { field: 'visual' });
  const find = (n: string) => {
    const l = base.layers.find((x) => x.name === n);
    if (!l) throw new VigilError(`visual encoder: layer '${n}' not found in ${VISUAL_MODEL}`, { field: 'layer' });
    return l;
  };
  const embLayer = find(layerName);
  const head = find(HEAD_LAYER);
  const twoHead = tf.model({ inputs: base.inputs, outputs: [embLayer.output as tf.SymbolicTensor, head.output as tf.SymbolicTensor] });
  const embDim = (embLayer.outputShape as number[])[1];
  const dim = embDim + NSFW_CLASSES.length;
  const id = `${VISUAL_MODEL}/${layerName}:${embDim}+probs:${NSFW_CLASSES.length}/${FRAME_SIZE}px`;

  const embed = async (frames: Frame[]): Promise<Float32Array> => {
    const out = new Float32Array(frames.length * dim);
    for (let s = 0; s < frames.length; s += BATCH) {
      const chunk = frames.slice(s, s + BATCH);
      const pixels = new Float32Array(chunk.length * FRAME_SIZE * FRAME_SIZE * 3);
      chunk.forEach((f, k) => {
        if (f.width !== FRAME_SIZE || f.height !== FRAME_SIZE) throw new VigilError(`frame ${s + k}: expected ${FRAME_SIZE}x${FRAME_SIZE}, got ${f.width}x${f.height}`, { field: 'frame' });
        // The model was trained on pixels scaled to [0, 1].
        const base = k * FRAME_SIZE * FRAME_SIZE * 3;
        for (let j = 0; j < f.rgb.length; j++) pixels[base + j] = f.rgb[j] / 255;
      });
      const x = tf.tensor4d(pixels, [chunk.length, FRAME_SIZE, FRAME_SIZE, 3]);
      const [e, p] = twoHead.predict(x) as tf.Tensor[];
      const [ev, pv] = await Promise.all([e.data(), p.data()]);
      tf.dispose([x, e, p]);
      for (let k = 0; k < chunk.length; k++) {
        const row = (s + k) * dim;
        out.set(ev.subarray(k * embDim, (k + 1) * embDim), row);
        out.set(pv.subarray(k * NSFW_CLASSES.length, (k + 1) * NSFW_CLASSES.length), row + embDim);
      }
    }
    return out;
  };
  return { id, layer: layerName, embDim, dim, backend, embed, dispose: () => net.dispose() };
}
