import { z } from 'zod';

export const evalConfigSchema = z.object({
  /** Bootstrap resamples (over creator groups) for 95% intervals. */
  bootstrap: z.number().int().min(10).default(200),
  /** Slices with fewer positives than this are flagged as too small to judge. */
  minSlicePositives: z.number().int().min(1).default(20),
  seed: z.number().int().default(11),
}).strict();
export type EvalConfig = z.infer<typeof evalConfigSchema>;
