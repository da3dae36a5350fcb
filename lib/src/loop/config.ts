import { z } from 'zod';

/**
 * How the simulated moderation operation runs. Every default is a number a design review would
 * argue about, so each one is a field: capacity as a share of uploads, SLA hours per harm category,
 * how often creators appeal, and how review capacity is split between the model's queue,
 * exploration of borderline scores and a random audit of what was allowed.
 */
export const ROUTING_STRATEGIES = ['top-risk', 'active', 'active+audit'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export const loopConfigSchema = z.object({
  /** Simulated weeks replayed (at most the preset's weeks). */
  weeks: z.number().int().min(1).max(52).default(8),
  /** Daily review capacity as a share of that day's uploads (the seed's 0.5–1%). */
  capacityShare: z.number().gt(0).max(0.05).default(0.0075),
  /** QUEUE items are visible while they wait (`published`) or hidden until reviewed (`suppressed`). */
  queueMode: z.enum(['published', 'suppressed']).default('published'),
  /** SLA in hours per true harm category; `default` covers every other category and benign items. */
  slaHours: z.record(z.string(), z.number().positive()).default({ csam: 1, default: 24 }),
  /** Severity weight of each harm category (used for SLA reporting order and exposure weighting). */
  severity: z.record(z.string(), z.number().positive()).default({ csam: 10, self_harm: 5, extremism: 4, graphic_violence: 3, hate_symbol: 3, default: 1 }),
  /** Probability that a creator appeals a removal: content that is in truth benign / harmful. */
  appealRateBenign: z.number().min(0).max(1).default(0.6),
  appealRateHarmful: z.number().min(0).max(1).default(0.1),
  /** Strategies compared, each a full replay of the same weeks. */
  strategies: z.array(z.enum(ROUTING_STRATEGIES)).min(1).default([...ROUTING_STRATEGIES]),
  /** Share of capacity spent on borderline scores (active strategies). */
  exploreShare: z.number().min(0).max(0.9).default(0.2),
  /** Borderline band: ALLOW uploads whose risk is at least this fraction of the queue threshold. */
  exploreBand: z.number().gt(0).lt(1).default(0.25),
  /** Share of capacity spent on a uniform random audit of ALLOW uploads (`active+audit`). */
  auditShare: z.number().min(0).max(0.9).default(0.1),
  /** Hours an upload counts as exposed at most when nothing removes it. */
  exposureHorizonHours: z.number().positive().default(168),
  /** Retrain weekly on the loop's labels (false: the run's model serves every week). */
  retrain: z.boolean().default(true),
  /**
   * What a promoted retrained model decides. `queue-order` (default): the run's policy still decides
   * QUEUE / ALLOW / BLOCK and the retrained model orders the review queue — it was trained and gated
   * on labels of what the queue held, and at the policy's volume it queued fewer harmful uploads than
   * the run's model. `thresholds`: the retrained model also routes, at the run policy's volume.
   */
  retrainedRouting: z.enum(['queue-order', 'thresholds']).default('queue-order'),
  /** L2 (towards the served model) and full-batch steps of the light retrain (models.ts, a residual head). */
  retrainL2: z.number().min(0).default(0.01),
  retrainSteps: z.number().int().min(1).max(2000).default(150),
  /** Roll back a promoted model whose reviewed-queue hit rate falls below this fraction of its predecessor's. */
  rollbackHitRatio: z.number().min(0).max(1).default(0.7),
  /** Bootstrap resamples of the promotion gate. */
  gateResamples: z.number().int().min(10).max(2000).default(200),
  seed: z.number().int().default(1),
}).strict().refine((c) => c.exploreShare + c.auditShare < 1, { message: 'exploreShare + auditShare must leave capacity for the queue', path: ['auditShare'] });

export type LoopConfig = z.infer<typeof loopConfigSchema>;

/** SLA hours of a true category (the `default` entry when it has none). */
export function slaFor(cfg: LoopConfig, category: string): number {
  return cfg.slaHours[category] ?? cfg.slaHours.default ?? 24;
}

export function severityFor(cfg: LoopConfig, category: string): number {
  return cfg.severity[category] ?? cfg.severity.default ?? 1;
}
