import type { Rng } from '../util/rng.js';
import type { ParamSpec } from './weights.js';

/** Seeded initial values: Glorot-uniform kernels, zero biases (independent of the tf backend). */
export function initialValues(specs: ParamSpec[], rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    if (s.init === 'glorot') {
      const fanIn = s.shape[0], fanOut = s.shape[s.shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const r = rng.fork(s.name);
      for (let i = 0; i < size; i++) v[i] = (2 * r.next() - 1) * limit;
    }
    out[s.name] = v;
  }
  return out;
}
