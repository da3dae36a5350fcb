import { z } from 'zod';

/** How near-duplicates are found from derived features (no raw media). */
export const nearDupConfigSchema = z.object({
  /** Which pooled vectors go into the fingerprint; blocks are L2-normalised and concatenated. */
  modalities: z.array(z.enum(['frames', 'audio', 'transcript'])).min(1).default(['frames']),
  /** Relative weight of the audio / transcript blocks against the frame block (1). */
  audioWeight: z.number().min(0).default(0.5),
  transcriptWeight: z.number().min(0).default(0.5),
  /** Hashed word-shingle buckets for the transcript block. */
  shingleBuckets: z.number().int().min(16).default(1024),
  /** SimHash signature length (a multiple of 32). */
  bits: z.number().int().min(32).max(1024).multipleOf(32).default(256),
  /** Bits per LSH band (bits / bandBits bands); larger → fewer chance collisions, lower recall. */
  bandBits: z.number().int().min(4).max(32).default(16),
  /** Pairs whose Hamming-estimated cosine is at least this are near-duplicates. */
  minCosine: z.number().min(-1).max(1).default(0.92),
  /** Buckets larger than this are not compared all-pairs but along a sorted sliding window. */
  maxBucket: z.number().int().min(2).default(64),
  /** Window (neighbours compared) inside an oversize bucket. */
  window: z.number().int().min(1).default(8),
}).strict();
export type NearDupConfig = z.infer<typeof nearDupConfigSchema>;

export const splitConfigSchema = z.object({
  /** Most recent weeks held out as the test set. */
  testWeeks: z.number().int().min(1).default(3),
  /** Weeks before the test window used for calibration, early stopping and threshold choice. */
  calibWeeks: z.number().int().min(1).default(2),
  /** Gap between windows; rows inside it are purged. */
  purgeDays: z.number().min(0).default(2),
  /** Also join leakage groups by creator (costs data with heavy-tailed creators). */
  groupByCreator: z.boolean().default(false),
  /** Forward-chaining CV folds over the training period. */
  folds: z.number().int().min(2).default(4),
  minFoldPositives: z.number().int().min(1).default(10),
  /** Train only on the last N weeks before the calibration window (weekly retraining); null = all. */
  trainWindowWeeks: z.number().int().min(1).nullable().default(null),
  /** account_age_days below this (or missing) counts as a cold-start upload in the audit. */
  coldStartDays: z.number().min(0).default(30),
  /** Near-duplicate fingerprinting and clustering. */
  nearDup: nearDupConfigSchema.prefault({}),
  /**
   * Datasets without upload times get a seeded, label-stratified group split instead of the temporal
   * holdout: these are the calibration and test shares (train takes the rest). The defaults match the
   * temporal windows' usual proportions (roughly 70 / 15 / 15).
   */
  noTime: z.object({
    calibFraction: z.number().gt(0).lt(1).default(0.15),
    testFraction: z.number().gt(0).lt(1).default(0.15),
  }).strict().refine((v) => v.calibFraction + v.testFraction < 0.9, { message: 'calibFraction + testFraction must leave at least 10% for training' }).prefault({}),
}).strict();
export type SplitConfig = z.infer<typeof splitConfigSchema>;
