/**
 * Adam on plain Float32Arrays. The parameters live in JS between steps and are uploaded once per
 * step; tf.js only computes the loss and gradients. This replaces ~12 small kernels per tensor per
 * step of tf.train.adam (the wasm backend pays a fixed cost per kernel, which dominated the step
 * time) with one tight loop, and keeps the update bit-identical across backends.
 */
export interface AdamState {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export function createAdam(params: Record<string, Float32Array>, lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-7): AdamState {
  const m: Record<string, Float32Array> = {}, v: Record<string, Float32Array> = {};
  for (const [k, p] of Object.entries(params)) { m[k] = new Float32Array(p.length); v[k] = new Float32Array(p.length); }
  return { lr, beta1, beta2, eps, step: 0, m, v };
}

/** One Adam step in place on `params` given gradients by the same names. */
export function adamStep(s: AdamState, params: Record<string, Float32Array>, grads: Record<string, ArrayLike<number>>): void {
  s.step++;
  const c1 = 1 - s.beta1 ** s.step, c2 = 1 - s.beta2 ** s.step;
  const lrT = (s.lr * Math.sqrt(c2)) / c1;
  for (const [k, p] of Object.entries(params)) {
    const g = grads[k], m = s.m[k], v = s.v[k];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = s.beta1 * m[i] + (1 - s.beta1) * gi;
      v[i] = s.beta2 * v[i] + (1 - s.beta2) * gi * gi;
      p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + s.eps);
    }
  }
}
