import { z } from 'zod';

export const policyConfigSchema = z.object({
  /** Recall of QUEUE ∪ BLOCK that safety asks for. */
  minRecall: z.number().min(0).max(1).default(0.9),
  /** False-positive rate of QUEUE ∪ BLOCK allowed. */
  maxFpr: z.number().min(0).max(1).default(0.02),
  /** Share of all uploads the moderators can review (QUEUE volume). */
  queueCapacity: z.number().min(0).max(1).default(0.01),
  /** Precision required for auto-BLOCK without review. */
  minBlockPrecision: z.number().min(0).max(1).default(0.9),
  /** Precision required among the top `topShare` highest-risk uploads. */
  minTopPrecision: z.number().min(0).max(1).default(0.25),
  topShare: z.number().min(0).max(1).default(0.01),
  /** Optional stricter thresholds per harm category (policy tag → block threshold). */
  perCategoryBlock: z.record(z.string(), z.number().min(0).max(1)).default({}),
}).strict();
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
