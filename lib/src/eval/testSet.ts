import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import { reliabilityDiagram, type ReliabilityBin } from '../stats/reliability.js';
import type { EvalConfig } from './config.js';
import { evaluateWithDraws, type MetricBlock } from './evaluate.js';
import { defineSlices, evaluateSlices, spikeCountries, type SliceBlock } from './slices.js';
import type { GroupIds } from '../stats/validate.js';

export interface TestSetEvaluation {
  test: MetricBlock;
  slices: Record<string, SliceBlock>;
  /** Reliability diagram of the whole set (null when the scores are not probabilities). */
  reliability: ReliabilityBin[] | null;
  spike_countries: string[];
  /** Per-resample metric values of the test block and of each slice (for bootstrap.json). */
  draws: { test: Record<string, Float64Array>; slices: Record<string, Record<string, Float64Array>> };
}

/**
 * The `test` and `slices` parts of metrics.json for rows `rows` of `table`, scored by `scores`
 * (aligned with `rows`), with labels and weights from the table. Spike regions are derived from
 * `trainRows` (train labels only).
 */
export function evaluateTestSet(args: {
  table: VideoTable;
  rows: ArrayLike<number>;
  scores: ArrayLike<number>;
  groups: GroupIds | null;
  trainRows: ArrayLike<number>;
  cfg: EvalConfig;
  extraSlices?: Record<string, ArrayLike<boolean | number>>;
  /** Labels to score against instead of the table's `harmful` (e.g. the simulator's true labels, aligned with rows). */
  labels?: ArrayLike<number>;
}): TestSetEvaluation {
  const { table, rows, scores, groups, cfg } = args;
  if (scores.length !== rows.length) throw new VigilError(`'scores': length ${scores.length} differs from rows length ${rows.length}`, { field: 'scores' });
  if (args.labels && args.labels.length !== rows.length) throw new VigilError(`'labels': length ${args.labels.length} differs from rows length ${rows.length}`, { field: 'labels' });
  const labels = args.labels ?? Int8Array.from({ length: rows.length }, (_, k) => table.harmful[rows[k]]);
  const weights = Float64Array.from({ length: rows.length }, (_, k) => table.weight[rows[k]]);
  const spikes = spikeCountries(table, args.trainRows, cfg.spikeFactor);
  const { block: test, draws } = evaluateWithDraws(scores, labels, weights, groups, cfg);
  const defs = defineSlices(table, rows, {
    coldStartDays: cfg.coldStartDays, longVideoFrames: cfg.longVideoFrames, spikeCountries: spikes, extra: args.extraSlices,
  });
  const { blocks: slices, draws: sliceDraws } = evaluateSlices(defs, scores, labels, weights, groups, cfg);
  const reliability = test.probabilities && rows.length > 0 ? reliabilityDiagram(scores, labels, weights, cfg.eceBins).bins : null;
  return { test, slices, reliability, spike_countries: spikes, draws: { test: draws, slices: sliceDraws } };
}
