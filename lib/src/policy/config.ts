import { z } from 'zod';

/** Threshold constraints a policy can give up, most important first (see `priority`). */
export const POLICY_CONSTRAINTS = ['fpr', 'recall', 'queue_capacity', 'block_precision'] as const;
export type PolicyConstraint = (typeof POLICY_CONSTRAINTS)[number];

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
  /**
   * When the threshold constraints cannot all hold, they are kept in this order (first = last to give
   * up); each one given up is relaxed only as far as needed. Must list all four constraints.
   * Default: the operational limits (FPR cap, reviewer capacity, no low-precision auto-removals) hold
   * and the recall shortfall is reported — the alternatives in `compromise` show the other trades.
   */
  priority: z.array(z.enum(POLICY_CONSTRAINTS)).length(4).refine((a) => new Set(a).size === 4, 'must list each of fpr, recall, queue_capacity, block_precision once')
    .default(['fpr', 'queue_capacity', 'block_precision', 'recall']),
  /** Optional stricter thresholds per harm category (policy tag → block threshold). */
  perCategoryBlock: z.record(z.string(), z.number().min(0).max(1)).default({}),
  /** Bootstrap resamples (over groups) for the achieved numbers' intervals. */
  bootstrap: z.number().int().min(0).default(200),
  seed: z.number().int().default(17),
}).strict();
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
