import { z } from 'zod';

/**
 * The promotion gate: when a candidate run (B) may replace a baseline (A).
 * A candidate is rejected when any gated metric drops *significantly* (its delta CI lies below
 * −tolerance) overall or on any slice large enough to judge.
 */
export const gateConfigSchema = z.object({
  /** Metrics whose significant drop rejects the candidate (paths into a metrics block). */
  metrics: z.array(z.string().min(1)).min(1).default(['ap', 'recall_at_fpr.0.02']),
  /** Extra metrics shown in the comparison table but never gating. */
  report: z.array(z.string().min(1)).default(['roc_auc', 'precision_at_top.0.01', 'recall_at_fpr.0.01', 'ece', 'brier']),
  /** A drop smaller than this (absolute, in metric units) never rejects, even when significant. */
  tolerance: z.number().min(0).default(0),
  /** Also gate slices (e.g. cold-start users, regions). */
  slices: z.boolean().default(true),
  /** A slice is judged only when both runs have at least this many positives in it. */
  minSlicePositives: z.number().int().min(1).default(20),
  /** Reject a candidate whose policy is infeasible (policy.json `feasible` = false). */
  requireFeasible: z.boolean().default(false),
}).strict();
export type GateConfig = z.infer<typeof gateConfigSchema>;

/** Metrics where lower is better (a rise is the regression). */
export const LOWER_IS_BETTER = new Set(['ece', 'brier']);
