import { paramSpecs } from './paramSpecs.js';
import { getFusion } from './fusion/registry.js';
import { setWeight, type FusionNetConfig, type FusionWeights } from './weights.js';
import type { TrainResult } from './train.js';
import { VigilError } from '../util/errors.js';

/** Fusion-input position of the text logit: f = [l_meta, l_visual, l_audio·a, l_text·a, a_audio, a_text]. */
const FUSION_TEXT_INPUT = 3;

/**
 * The preprocessor's stacked linear text score (the text block's last column, a sparse logistic
 * regression over a wide vocabulary fitted on the training rows) written as a network of the ordinary
 * text-only architecture, so export, ONNX parity and serving need nothing new: the text tower's first
 * layer reads that column into two units, relu(x) and relu(−x), and its output layer takes their
 * difference, x; the fusion head passes the text logit through unchanged (its own `passThrough`).
 * The logit is then the linear score itself (0 for a row without a transcript). A candidate of model
 * selection next to the trained networks; it needs hidden and fusion hidden sizes of at least 2.
 */
export function linearTextWeights(base: FusionNetConfig): FusionWeights {
  const config: FusionNetConfig = { ...base, towers: ['text'] };
  if (config.hidden < 2) throw new VigilError('the linear text model needs model.hidden ≥ 2', { field: 'model.hidden' });
  const tensors: FusionWeights['tensors'] = {};
  for (const s of paramSpecs(config)) tensors[s.name] = { shape: s.shape, data: new Array<number>(s.shape.reduce((a, b) => a * b, 1)).fill(0) };
  const set = (name: string, row: number, col: number, v: number) => setWeight(tensors, name, row, col, v);
  const last = config.textDim - 1;
  set('text/dense1/kernel', last, 0, 1);
  set('text/dense1/kernel', last, 1, -1);
  set('text/out/kernel', 0, 0, 1);
  set('text/out/kernel', 1, 0, -1);
  getFusion(config.fusion).passThrough(config, tensors, FUSION_TEXT_INPUT);
  return { config, tensors };
}

/**
 * The linear text model as a TrainResult. It was fitted on every training row with its storage
 * weight (no negative downsampling), so the calibrator applies no downsampling shift.
 */
export function linearTextResult(base: TrainResult): TrainResult {
  return { weights: linearTextWeights(base.weights.config), history: [], bestEpoch: 0, backend: base.backend, rowsPerSec: 0, negativeKeepRate: 1, ...(base.noise ? { noise: base.noise } : {}) };
}
