import { z } from 'zod';

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
}).strict();
export type SplitConfig = z.infer<typeof splitConfigSchema>;
