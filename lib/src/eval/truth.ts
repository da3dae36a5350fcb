import type { GroupIds } from '../stats/validate.js';
import { VigilError } from '../util/errors.js';
import { evaluate, type EvaluateOptions, type MetricBlock } from './evaluate.js';

/**
 * Side by side on the simulator, where the truth is known: the model against the observed (noisy)
 * labels and against the true labels, and the oracle (the best achievable probability) on the same
 * rows — the ceiling any model can reach. Same groups, seed and resamples for every block, so the
 * intervals are comparable.
 */
export function evaluateAgainstTruth(
  scores: ArrayLike<number>,
  observed: ArrayLike<number>,
  trueLabels: ArrayLike<number>,
  oracleP: ArrayLike<number>,
  weights: ArrayLike<number>,
  groups: GroupIds | null,
  opts: EvaluateOptions = {},
): { observed: MetricBlock; true_labels: MetricBlock; oracle: { observed: MetricBlock; true_labels: MetricBlock } } {
  if (trueLabels.length !== scores.length) throw new VigilError(`'trueLabels': length ${trueLabels.length} differs from 'scores' length ${scores.length}`, { field: 'trueLabels' });
  if (oracleP.length !== scores.length) throw new VigilError(`'oracleP': length ${oracleP.length} differs from 'scores' length ${scores.length}`, { field: 'oracleP' });
  return {
    observed: evaluate(scores, observed, weights, groups, opts),
    true_labels: evaluate(scores, trueLabels, weights, groups, opts),
    oracle: {
      observed: evaluate(oracleP, observed, weights, groups, opts),
      true_labels: evaluate(oracleP, trueLabels, weights, groups, opts),
    },
  };
}
