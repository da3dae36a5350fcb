import { z } from 'zod';

export const evalConfigSchema = z.object({
  /** Bootstrap resamples (over creator groups) for 95% intervals; 0 = point estimates only. */
  bootstrap: z.number().int().min(0).default(200),
  /** Slices with fewer positives than this are flagged as too small to judge. */
  minSlicePositives: z.number().int().min(1).default(20),
  seed: z.number().int().default(11),
  /** FPR operating points for recall@FPR. */
  fprTargets: z.array(z.number().gt(0).max(1)).min(1).default([0.005, 0.01, 0.02]),
  /** Top-volume shares for precision@top. */
  topShares: z.array(z.number().gt(0).max(1)).min(1).default([0.005, 0.01, 0.02]),
  /** Upper FPR of the partial ROC area reported as `pauc_002`. */
  pAucMaxFpr: z.number().gt(0).max(1).default(0.02),
  /** Equal-mass bins for ECE and the reliability diagram. */
  eceBins: z.number().int().min(2).default(15),
  /** Accounts younger than this (days) are cold start; missing account metadata is cold start too. */
  coldStartDays: z.number().min(0).default(30),
  /** Videos with more frames than this are "long". */
  longVideoFrames: z.number().int().min(1).default(60),
  /** A country is a spike region when its train prevalence is at least this multiple of the overall. */
  spikeFactor: z.number().min(1).default(3),
  /** The seed's success criteria; met only when the 95% CI lower bound reaches `min`. */
  criteria: z.array(z.object({
    metric: z.enum(['recall_at_fpr', 'precision_at_top']),
    at: z.number().gt(0).max(1),
    min: z.number().min(0).max(1),
  }).strict()).default([
    { metric: 'recall_at_fpr', at: 0.02, min: 0.9 },
    { metric: 'precision_at_top', at: 0.01, min: 0.25 },
  ]),
}).strict();
export type EvalConfig = z.infer<typeof evalConfigSchema>;
