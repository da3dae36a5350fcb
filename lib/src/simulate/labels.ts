import type { Rng } from '../util/rng.js';
import type { SimKnobs } from './presets.js';
import { CAT_NONE } from './world.js';

/**
 * Label noise. The observed label of an upload is one rater decision drawn with probability q, and
 * q depends on the content itself (instance-dependent noise): clear harm is labelled harmful almost
 * always, borderline harm (low intensity) less reliably, allowed violent-looking content is
 * sometimes wrongly removed the closer it is to the line, and clean content almost never.
 * q is therefore exactly P(observed label = 1 | everything the generator knows) — the oracle.
 */
export function oracleQ(k: SimKnobs, cat: number, intensity: number, hardNeg: boolean, edginess: number): number {
  if (cat !== CAT_NONE) return k.qPosLow + (k.qPosHigh - k.qPosLow) * intensity;
  if (hardNeg) return Math.max(k.qClean, k.qHardNeg * Math.pow(edginess, k.hardNegExponent));
  return k.qClean;
}

/**
 * Cohen's kappa between two independent raters who each label every upload of the stream with
 * probability q: simulated (not the closed form) so it reads like an inter-rater study, with
 * `pairs` independent rater pairs per upload pooled to keep the estimate's noise small.
 */
export function simulateRaterKappa(q: Float64Array, rng: Rng, pairs = 8): number {
  let a1 = 0, b1 = 0, agree = 0;
  const n = q.length;
  for (let rep = 0; rep < pairs; rep++) {
    for (let i = 0; i < n; i++) {
      const x = rng.next() < q[i] ? 1 : 0;
      const y = rng.next() < q[i] ? 1 : 0;
      a1 += x; b1 += y;
      if (x === y) agree++;
    }
  }
  const m = n * pairs;
  const po = agree / m;
  const pa = a1 / m, pb = b1 / m;
  const pe = pa * pb + (1 - pa) * (1 - pb);
  return pe >= 1 ? 1 : (po - pe) / (1 - pe);
}
