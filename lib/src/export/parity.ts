import type { FusionOutputs } from './contract.js';

/**
 * Largest absolute differences between two runs of the fusion model on the same padded batch
 * (ONNX vs TF.js, or either vs the reference). Attention is compared on real items only: padding
 * carries no meaning, and both runtimes give it (numerically) zero weight anyway.
 */
export interface ParityDiffs { risk: number; logit: number; modalityLogits: number; frameAttention: number; audioAttention: number; max: number }

type Outputs = Partial<Pick<FusionOutputs, 'risk'>> & Omit<FusionOutputs, 'risk'>;

export function parityDiffs(a: Outputs, b: Outputs, masks: { frameMask: ArrayLike<number>; audioMask: ArrayLike<number> }): ParityDiffs {
  const diff = (x: ArrayLike<number> | undefined, y: ArrayLike<number> | undefined, mask?: ArrayLike<number>) => {
    if (!x || !y) return 0;
    if (x.length !== y.length) throw new Error(`parity: outputs of different sizes (${x.length} vs ${y.length})`);
    let m = 0;
    for (let i = 0; i < x.length; i++) if (!mask || mask[i] > 0) m = Math.max(m, Math.abs(x[i] - y[i]));
    return m;
  };
  const d = {
    risk: diff(a.risk, b.risk), logit: diff(a.logit, b.logit), modalityLogits: diff(a.modalityLogits, b.modalityLogits),
    frameAttention: diff(a.frameAttention, b.frameAttention, masks.frameMask),
    audioAttention: diff(a.audioAttention, b.audioAttention, masks.audioMask),
  };
  return { ...d, max: Math.max(...Object.values(d)) };
}
