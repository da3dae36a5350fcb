import type { Calibrator, FusionInputs, FusionOutputs, FusionWeights } from '../../src/export/contract.js';
import { checkInputs } from '../../src/export/contract.js';
import { PAD_SCORE } from '../../src/model/pooling/attention.js';
import { sigmoid } from '../../src/util/sigmoid.js';

/**
 * The fusion network of docs/ARCHITECTURE.md as plain loops in float64: the test oracle for the
 * ONNX graph and for the TF.js model, sharing no model code with either (only the contract's pad
 * score). Slow and obvious on purpose; it knows the built-in poolings and fusion heads only.
 */

interface Dense { kernel: Float64Array; bias: Float64Array; nIn: number; nOut: number }

export function getTensor(w: FusionWeights, name: string, shape: number[]): Float64Array {
  const t = w.tensors[name];
  if (!t) throw new Error(`fusion weights: missing tensor '${name}'`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`fusion weights: '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new Error(`fusion weights: '${name}' has ${t.data.length} values, expected ${size}`);
  // Round through float32 so the reference sees exactly the weights the float32 runtimes see.
  return Float64Array.from(Float32Array.from(t.data));
}

export function getDense(w: FusionWeights, prefix: string, nIn: number, nOut: number): Dense {
  return {
    kernel: getTensor(w, `${prefix}/kernel`, [nIn, nOut]),
    bias: getTensor(w, `${prefix}/bias`, [nOut]),
    nIn, nOut,
  };
}

function f32(v: number): number { return Math.fround(v); }

/** y = x·kernel + bias for one input vector (x read from `src` at `off`). */
function denseVec(d: Dense, src: ArrayLike<number>, off: number, relu: boolean): Float64Array {
  const y = new Float64Array(d.nOut);
  for (let o = 0; o < d.nOut; o++) y[o] = d.bias[o];
  for (let i = 0; i < d.nIn; i++) {
    const xi = src[off + i];
    if (xi === 0) continue;
    const row = i * d.nOut;
    for (let o = 0; o < d.nOut; o++) y[o] += xi * d.kernel[row + o];
  }
  if (relu) for (let o = 0; o < d.nOut; o++) if (y[o] < 0) y[o] = 0;
  return y;
}

/** Two-layer tower `relu(x·dense1)·out` for one row → scalar logit. */
function mlpTower(w: FusionWeights, prefix: string, x: ArrayLike<number>, off: number, dIn: number): number {
  const h = w.config.hidden;
  const d1 = getDense(w, `${prefix}/dense1`, dIn, h);
  const out = getDense(w, `${prefix}/out`, h, 1);
  return denseVec(out, denseVec(d1, x, off, true), 0, false)[0];
}

/** The text tower's logit for one text vector (used by serving to attribute terms). */
export function textTowerLogit(w: FusionWeights, text: ArrayLike<number>): number {
  return mlpTower(w, 'text', text, 0, w.config.textDim);
}

/** Sequence tower for one row: returns the logit and the per-item weights (length T). */
function sequenceTower(
  w: FusionWeights, prefix: 'visual' | 'audio', x: Float32Array, mask: Float32Array, b: number, T: number, D: number,
): { logit: number; weights: Float64Array } {
  const { hidden: H, attentionDim: A, pooling } = w.config;
  const embed = getDense(w, `${prefix}/embed`, D, H);
  const out = getDense(w, `${prefix}/out`, H, 1);
  const hs: Float64Array[] = [];
  for (let t = 0; t < T; t++) hs.push(denseVec(embed, x, (b * T + t) * D, true));
  const m = (t: number) => mask[b * T + t];
  let count = 0;
  for (let t = 0; t < T; t++) count += m(t);
  const weights = new Float64Array(T);
  const pooled = new Float64Array(H);
  if (pooling === 'mean' || pooling === 'max') {
    const den = Math.max(count, 1);
    for (let t = 0; t < T; t++) weights[t] = m(t) / den;
    if (pooling === 'mean') {
      for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) pooled[j] += m(t) * hs[t][j];
      for (let j = 0; j < H; j++) pooled[j] /= den;
    } else {
      for (let j = 0; j < H; j++) {
        let best = -Infinity;
        for (let t = 0; t < T; t++) best = Math.max(best, hs[t][j] * m(t));
        pooled[j] = best;
      }
    }
  } else if (pooling === 'attention') {
    const V = getDense(w, `${prefix}/att_v`, H, A);
    const U = getDense(w, `${prefix}/att_u`, H, A);
    const W = getDense(w, `${prefix}/att_w`, A, 1);
    const e = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const v = denseVec(V, hs[t], 0, false);
      const u = denseVec(U, hs[t], 0, false);
      const g = new Float64Array(A);
      for (let k = 0; k < A; k++) g[k] = Math.tanh(v[k]) * sigmoid(u[k]);
      const et = denseVec(W, g, 0, false)[0];
      e[t] = m(t) > 0 ? et : PAD_SCORE;
    }
    let mx = -Infinity;
    for (let t = 0; t < T; t++) mx = Math.max(mx, e[t]);
    let z = 0;
    for (let t = 0; t < T; t++) { weights[t] = Math.exp(e[t] - mx); z += weights[t]; }
    // With no real item every score is PAD_SCORE: uniform weights over padding (the logit is gated off later).
    for (let t = 0; t < T; t++) weights[t] = weights[t] / z;
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) pooled[j] += weights[t] * hs[t][j];
  } else {
    throw new Error(`fusion weights: unknown pooling '${String(pooling)}'`);
  }
  return { logit: denseVec(out, pooled, 0, false)[0], weights };
}

/** Calibrated probability for one raw logit (ARCHITECTURE.md calibrator semantics). */
export function applyCalibration(cal: Calibrator, z: number): number {
  // The graph works in float32: shift and compare there too so steps land on the same side.
  const zs = f32(f32(z) + f32(cal.shift));
  switch (cal.method) {
    case 'platt': return sigmoid(cal.a * zs + cal.b);
    case 'temperature': return sigmoid(zs / cal.T);
    case 'isotonic': {
      let k = 0;
      for (const t of cal.thresholds) if (f32(t) <= zs) k++;
      return cal.values[k];
    }
  }
}

/** The whole forward pass for a batch. */
export function referenceForward(w: FusionWeights, cal: Calibrator, x: FusionInputs): FusionOutputs {
  const c = w.config;
  checkInputs(x, c);
  const has = (t: string) => c.towers.includes(t);
  const { B, T, S } = x;
  // An absent sequence tower looked at no items: its weights are [B,0].
  const out: FusionOutputs = {
    risk: new Float64Array(B), logit: new Float64Array(B), modalityLogits: new Float64Array(B * 4),
    frameAttention: new Float64Array(has('visual') ? B * T : 0), audioAttention: new Float64Array(has('audio') ? B * S : 0),
  };
  for (let b = 0; b < B; b++) {
    const lMeta = has('meta') ? mlpTower(w, 'meta', x.meta, b * c.metaDim, c.metaDim) : 0;
    let lVis = 0, lAud = 0;
    if (has('visual')) {
      const r = sequenceTower(w, 'visual', x.frames, x.frameMask, b, T, c.frameDim);
      lVis = r.logit;
      out.frameAttention.set(r.weights, b * T);
    }
    if (has('audio')) {
      const r = sequenceTower(w, 'audio', x.audio, x.audioMask, b, S, c.audioDim);
      lAud = r.logit;
      out.audioAttention.set(r.weights, b * S);
    }
    const lText = has('text') ? mlpTower(w, 'text', x.text, b * c.textDim, c.textDim) : 0;
    // A tower the model does not have also contributes a 0 availability flag.
    const availAudio = has('audio') ? x.avail[b * 4 + 2] : 0, availText = has('text') ? x.avail[b * 4 + 3] : 0;
    const f = [lMeta, lVis, lAud * availAudio, lText * availText, availAudio, availText];
    let z: number;
    if (c.fusion === 'linear') {
      z = denseVec(getDense(w, 'fusion/out', 6, 1), f, 0, false)[0];
    } else if (c.fusion === 'mlp') {
      const h = denseVec(getDense(w, 'fusion/dense1', 6, c.fusionHidden), f, 0, true);
      z = denseVec(getDense(w, 'fusion/out', c.fusionHidden, 1), h, 0, false)[0];
    } else throw new Error(`fusion weights: unknown fusion '${String(c.fusion)}'`);
    out.logit[b] = z;
    out.risk[b] = applyCalibration(cal, z);
    for (let k = 0; k < 4; k++) out.modalityLogits[b * 4 + k] = f[k];
  }
  return out;
}
