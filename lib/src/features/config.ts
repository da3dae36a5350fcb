import { z } from 'zod';

export const featuresConfigSchema = z.object({
  /** Categorical levels seen fewer times than this in train are pooled into OTHER. */
  minLevelCount: z.number().int().min(1).default(50),
  /**
   * Transcript block: 'vocabulary' = word 1–2-grams and char 2–5-grams kept in a vocabulary fitted on
   * the training transcripts (textVocabulary.ts); 'hashed' = word 1–2-grams and char 3–5-grams hashed
   * into `textBuckets` (no fitted vocabulary; the version-1/2 behaviour).
   */
  text: z.enum(['vocabulary', 'hashed']).default('vocabulary'),
  /**
   * Vocabulary: most terms kept. The text tower's first layer is this wide and costs FLOPs in proportion
   * on wasm: 8,192 trained the fused `default` model ~75% slower than 2,048 (docs/training.md).
   */
  textVocabulary: z.number().int().min(1).default(2048),
  /** Vocabulary: a term must occur in at least this many training transcripts. */
  textMinDf: z.number().int().min(1).default(2),
  /**
   * Vocabulary: which terms fill the cap. 'df' = most frequent; 'chi2' = strongest presence/label
   * association (χ² on the training rows, weighted by the storage weight), ties by document frequency;
   * 'mixed' = half the cap by χ², the rest by document frequency (docs/training.md has the measurements).
   */
  textSelect: z.enum(['df', 'chi2', 'mixed']).default('df'),
  /**
   * Stacked sparse linear text score (textLinear.ts): one extra column, the last of the text block, with
   * the logit of an L2 logistic regression over a wide TF-IDF vocabulary fitted on the training rows
   * (out-of-fold for the training rows themselves). false = the text block without it.
   */
  textLinear: z.boolean().default(true),
  /** Most terms (by document frequency, min df `textMinDf`) in the linear score's vocabulary. */
  textLinearVocabulary: z.number().int().min(1).default(131072),
  /** Hashed text buckets (word and character n-grams), when `text = 'hashed'`. */
  textBuckets: z.number().int().min(16).default(2048),
  /** Hard cap on frames / audio segments per video (the schema allows up to 600). */
  maxSequence: z.number().int().min(1).default(600),
  /** account_age_days below this (or missing) marks a cold-start upload. */
  coldStartDays: z.number().min(0).default(30),
}).strict();
export type FeaturesConfig = z.infer<typeof featuresConfigSchema>;
