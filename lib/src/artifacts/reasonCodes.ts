import { z } from 'zod';

const perModality = z.object({ meta: z.number().nullable(), visual: z.number().nullable(), audio: z.number().nullable(), text: z.number().nullable() });

/**
 * `reason_codes.json`: per-modality "signal high" thresholds fitted on the calibration window
 * (serve/reasonThresholds.ts), stamped with the model version they were fitted for.
 */
export const reasonCodesFileSchema = z.object({
  formatVersion: z.literal(1),
  /** Weighted share of calibration negatives allowed at or above each threshold. */
  tail: z.number().gt(0, 'expected a share in (0, 1)').lt(1, 'expected a share in (0, 1)'),
  /** Tower-logit thresholds; null: the modality never fires. */
  modality: perModality,
  /**
   * Weighted share of calibration positives reaching each threshold. Informational (the report shows
   * it; serving does not read it), so a hand-made file may leave modalities out.
   */
  positiveRate: perModality.partial(),
  /** ACCOUNT_RISK facts: this many prior strikes, or an account younger than this many days. */
  account: z.object({ priorStrikes: z.number().nonnegative(), newAccountDays: z.number().nonnegative() }),
  modelVersion: z.string().optional(),
});

export type ReasonCodesFile = z.output<typeof reasonCodesFileSchema>;
