import { z } from 'zod';
import { nullableNumber, storedMetricSchema } from './values.js';

/**
 * One metrics block of `metrics.json` (`test`, each slice, each model's `test`). Every key the
 * evaluation writes is typed; blocks written by older runs or by hand may lack some, and a key this
 * schema does not know is kept (readers look metrics up by path, runs/metricsFile.ts `getMetric`).
 */
export const metricBlockSchema = z.looseObject({
  n: z.number().int().nonnegative().optional(),
  positives: z.number().nonnegative().optional(),
  weighted_n: z.number().optional(),
  weighted_positives: z.number().optional(),
  prevalence: nullableNumber.optional(),
  /** Slices: rows, positives, negatives and weighted positives of the slice (a number in older files). */
  support: z.union([z.number(), z.looseObject({ rows: z.number(), positives: z.number() })]).optional(),
  ap: storedMetricSchema.optional(),
  roc_auc: storedMetricSchema.optional(),
  pauc_002: storedMetricSchema.optional(),
  /** Keyed by the FPR as a string (`"0.02"`). */
  recall_at_fpr: z.record(z.string(), storedMetricSchema).optional(),
  /** Keyed by the top share as a string (`"0.01"`). */
  precision_at_top: z.record(z.string(), storedMetricSchema).optional(),
  f2: storedMetricSchema.optional(),
  ece: storedMetricSchema.optional(),
  brier: storedMetricSchema.optional(),
  logloss: storedMetricSchema.optional(),
  probabilities: z.boolean().optional(),
  /** Success-criterion verdicts, keyed `metric@point`. */
  meets: z.record(z.string(), z.looseObject({ met: z.boolean(), target: z.number() })).optional(),
  bootstrap: z.looseObject({ resamples: z.number().int().nonnegative(), seed: z.number() }).optional(),
  settings: z.looseObject({}).optional(),
  too_small: z.boolean().optional(),
  empty: z.boolean().optional(),
  description: z.string().optional(),
});

const testOf = z.looseObject({ test: metricBlockSchema });

/** `metrics.json`: the test-window evaluation of a run. Only `test` is required. */
export const metricsFileSchema = z.looseObject({
  test: metricBlockSchema,
  slices: z.record(z.string(), metricBlockSchema).optional(),
  models: z.record(z.string(), testOf).optional(),
  oracle: testOf.optional(),
  truth: z.looseObject({}).optional(),
  uncalibrated: testOf.optional(),
  calibration: z.looseObject({ chosen: z.string() }).optional(),
  model_selection: z.looseObject({ exported: z.string(), reason: z.string() }).optional(),
  policy_test: z.looseObject({}).optional(),
  spike_countries: z.array(z.string()).optional(),
  leakage_demo: z.looseObject({ model: z.string(), random: metricBlockSchema, safe: metricBlockSchema }).optional(),
  serving: z.looseObject({
    parity: z.looseObject({ max: nullableNumber, rows: z.number(), tolerance: z.number(), passed: z.boolean() }),
    latency: z.looseObject({}),
  }).optional(),
});

export type MetricsFile = z.output<typeof metricsFileSchema>;
export type StoredMetricBlock = z.output<typeof metricBlockSchema>;
