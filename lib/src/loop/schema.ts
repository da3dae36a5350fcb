import { z } from 'zod';
import { loopConfigSchema, ROUTING_STRATEGIES } from './config.js';

/**
 * loop.json: everything `vigil loop` measured, validated before it is written and when it is read
 * back (report, notebook). Rates are null when their denominator is empty.
 */
const rate = z.number().min(0).max(1).nullable();
const ci = z.tuple([z.number(), z.number()]).nullable();

export const slaCategorySchema = z.object({
  sla_hours: z.number().positive(),
  /** Virtual uploads reviewed this week with this true category. */
  reviewed: z.number().min(0),
  p50_hours: z.number().min(0).nullable(),
  p90_hours: z.number().min(0).nullable(),
  within_sla: rate,
  /** Still waiting at the end of the week, already past their SLA. */
  breached_waiting: z.number().min(0),
});

export const dayLoadSchema = z.object({
  day: z.number().int().min(0),
  capacity: z.number().min(0),
  queue: z.number().min(0),
  explore: z.number().min(0),
  audit: z.number().min(0),
});

/** Harmful uploads of one fate: how many (virtual uploads) and the upload-hours they were visible. */
const fateSchema = z.object({ uploads: z.number().min(0), upload_hours: z.number().min(0) });

/**
 * Where a week's harmful exposure comes from, by what happened to each harmful upload. The fates
 * partition the week's harmful uploads and their hours sum to `exposure_upload_hours`: exposure that
 * grows in `queued_*` is queue capacity, in `allowed_*` the model's thresholds.
 */
export const exposureFatesSchema = z.object({
  /** BLOCK: removed at upload (hours only when an appeal restored it). */
  blocked: fateSchema,
  /** ALLOW, never removed by a reviewer: visible until a user report or the horizon. */
  allowed_never_removed: fateSchema,
  /** ALLOW, found and removed by an exploration or audit review. */
  allowed_found: fateSchema,
  /** QUEUE, removed when a reviewer reached it (hours = time waiting in the queue). */
  queued_removed: fateSchema,
  /** QUEUE, reviewed but cleared (a reviewer miss, or an appeal overturned the removal). */
  queued_cleared: fateSchema,
  /** QUEUE, never reviewed by the end of the replay: the backlog (hidden, 0 h, when queued items are suppressed). */
  queued_never_reviewed: fateSchema,
});
export type ExposureFates = z.infer<typeof exposureFatesSchema>;

export const weekMetricsSchema = z.object({
  week: z.number().int().min(0),
  start: z.string(),
  model_id: z.string(),
  uploads: z.number().min(0),
  rows: z.number().int().min(0),
  true_prevalence: rate,
  actions: z.object({ allow: z.number().min(0), queue: z.number().min(0), block: z.number().min(0) }),
  /** Harmful share of what was published at upload (ALLOW, plus QUEUE when queued items stay visible): exact. */
  published_violating_rate: rate,
  /** Harmful share of ALLOW uploads: exact, what the audit estimates. */
  allowed_violating_rate: rate,
  /** Expected share of ALLOW uploads a reviewer would remove (Σ w·q / Σ w): what the audit measures without bias. */
  allowed_expected_review_rate: rate,
  audit: z.object({ draws: z.number().int().min(0), positives: z.number().int().min(0), estimate: rate, ci }),
  /** Σ over harmful uploads of the hours they were visible before removal (capped at the horizon), × weight. */
  exposure_upload_hours: z.number().min(0),
  exposure_by_category: z.record(z.string(), z.number().min(0)),
  exposure_by_fate: exposureFatesSchema,
  queue: z.object({
    arrivals: z.number().min(0),
    reviewed: z.number().min(0),
    depth_end: z.number().min(0),
    hit_rate: rate,
    categories: z.record(z.string(), slaCategorySchema),
  }),
  reviewers: z.object({
    capacity: z.number().min(0), queue: z.number().min(0), explore: z.number().min(0), audit: z.number().min(0),
    appeals: z.number().min(0),
    /** Reviews done / capacity granted this week (can exceed 1 by budget carried over a week boundary while items wait). */
    utilization: z.number().min(0).nullable(),
    /** Mean expected agreement of two reviewers (q² + (1 − q)²) on this week's first reviews, per true category. */
    agreement: z.record(z.string(), z.number().min(0).max(1)),
    days: z.array(dayLoadSchema),
  }),
  appeals: z.object({ filed: z.number().int().min(0), overturned: z.number().int().min(0), overturn_rate: rate }),
  auto_block: z.object({ blocked: z.number().min(0), precision: rate }),
  labels: z.object({
    produced: z.number().int().min(0),
    positives: z.number().int().min(0),
    by_source: z.record(z.string(), z.number().int().min(0)),
    positive_share: rate,
    mean_served_risk_labelled: rate,
    mean_served_risk_all: rate,
  }),
  model: z.object({
    /** AP against the ground truth on this week's uploads of the model in force (trained on earlier weeks only). */
    ap: z.number().nullable(),
    ap_run_model: z.number().nullable(),
    rolled_back: z.boolean(),
    candidate: z.object({
      id: z.string(),
      train_labels: z.number().int().min(0),
      train_positives: z.number().int().min(0),
      verdict: z.enum(['promote', 'reject', 'insufficient']),
      reasons: z.array(z.string()),
      holdout_labels: z.number().int().min(0),
      holdout_positives: z.number().int().min(0),
      gate_ap_current: z.number().nullable(),
      gate_ap_candidate: z.number().nullable(),
      /** Ground-truth AP of the candidate on the next week (whether or not it was promoted). */
      ap_next_week: z.number().nullable(),
      ap_next_week_current: z.number().nullable(),
      /** The candidate's mean predicted probability on the next week: trained on selected labels it overstates prevalence. */
      mean_risk_next_week: rate,
    }).nullable(),
  }),
});
export type WeekMetrics = z.infer<typeof weekMetricsSchema>;

export const strategyResultSchema = z.object({
  strategy: z.enum(ROUTING_STRATEGIES),
  weeks: z.array(weekMetricsSchema),
  promotions: z.array(z.object({ week: z.number().int(), model_id: z.string(), event: z.enum(['promote', 'rollback']) })),
  totals: z.object({
    exposure_upload_hours: z.number().min(0),
    exposure_by_fate: exposureFatesSchema,
    reviews: z.number().min(0),
    capacity: z.number().min(0),
    appeals_filed: z.number().int().min(0),
    appeals_overturned: z.number().int().min(0),
    mean_ap: z.number().nullable(),
    final_ap: z.number().nullable(),
  }),
});
export type StrategyResult = z.infer<typeof strategyResultSchema>;

export const loopResultSchema = z.object({
  format: z.literal(1),
  run: z.object({ id: z.string(), dir: z.string(), model_version: z.string(), policy_version: z.string() }),
  source: z.object({
    preset: z.string(), seed: z.number().int(), salt: z.string(), start: z.string(),
    world_weeks: z.array(z.number().int()), rows: z.number().int(), uploads: z.number(),
  }),
  config: loopConfigSchema,
  strategies: z.array(strategyResultSchema),
  timings: z.record(z.string(), z.number()),
});
export type LoopResult = z.infer<typeof loopResultSchema>;
