import type { FusionWeights } from './contract.js';
import { expectedTensors } from './validateWeights.js';
import type { Rng } from '../util/rng.js';

/**
 * Random fusion weights for a config (Glorot-scaled normals, small random biases): a stand-in for a
 * trained model in export, parity and serving tests and in latency measurements.
 */
export function randomFusionWeights(config: FusionWeights['config'], rng: Rng, biasScale = 0.1): FusionWeights {
  const tensors: FusionWeights['tensors'] = {};
  for (const [name, shape] of Object.entries(expectedTensors(config))) {
    const size = shape.reduce((a, b) => a * b, 1);
    const scale = shape.length === 2 ? Math.sqrt(2 / (shape[0] + shape[1])) : biasScale;
    tensors[name] = { shape, data: Array.from({ length: size }, () => rng.normal() * scale) };
  }
  return { config: { ...config, towers: [...config.towers] }, tensors };
}
