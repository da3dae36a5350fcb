import { z } from 'zod';

export const featuresConfigSchema = z.object({
  /** Categorical levels seen fewer times than this in train are pooled into OTHER. */
  minLevelCount: z.number().int().min(1).default(50),
  /** Hashed text buckets (word and character n-grams). */
  textBuckets: z.number().int().min(16).default(2048),
  /** Hard cap on frames / audio segments per video (the schema allows up to 600). */
  maxSequence: z.number().int().min(1).default(600),
  /** account_age_days below this (or missing) marks a cold-start upload. */
  coldStartDays: z.number().min(0).default(30),
}).strict();
export type FeaturesConfig = z.infer<typeof featuresConfigSchema>;
