import { z } from 'zod';

/**
 * `bootstrap.json`: the metric value on every bootstrap resample of the test window (runs/bootstrapFile.ts).
 * `blocks`: block name (`test` or `slice:<name>`) → metric path → one value per resample (null where
 * the metric is undefined on that resample).
 */
export const bootstrapFileSchema = z.object({
  /** Hash of the test ids, group ids, seed and resample count: equal keys can be compared resample by resample. */
  sampleKey: z.string().min(1),
  resamples: z.number().int().nonnegative(),
  blocks: z.record(z.string(), z.record(z.string(), z.array(z.number().nullable()))),
});

export type BootstrapFile = z.output<typeof bootstrapFileSchema>;
