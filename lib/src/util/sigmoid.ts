/**
 * The logistic function 1 / (1 + e^−z), the one definition every stage uses. In IEEE doubles it
 * needs no overflow guard: e^−z → ∞ gives exactly 0 and e^−z → 0 gives 1, never NaN.
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * The same function written e^z / (1 + e^z) for z < 0, which the calibrators have always used. It
 * differs from `sigmoid` in the last bit for about half of all negative inputs, so switching the
 * calibrators to `sigmoid` would move every calibrated risk and policy threshold in the 16th digit;
 * it is kept so that fitted calibrators and run metrics stay bit-for-bit reproducible.
 */
export function stableSigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
