import { z } from 'zod';
import { nullableNumber, probabilitySchema, valueCiSchema } from './values.js';

const bindingNote = z.union([z.string(), z.looseObject({ constraint: z.string(), kind: z.string(), statement: z.string() })]);

/**
 * `policy.json`: the ALLOW / QUEUE / BLOCK thresholds in calibrated-probability space (policy/types.ts
 * `Policy`). The thresholds are what serving needs and are required; the rest documents how they
 * were chosen and is typed when present (a hand-made serving bundle may carry thresholds only).
 */
export const policyFileSchema = z.looseObject({
  version: z.string().optional(),
  space: z.literal('calibrated_probability').optional(),
  rule: z.string().optional(),
  block_threshold: probabilitySchema,
  queue_threshold: probabilitySchema,
  /** False: nothing is auto-blocked (block_threshold is then 1). */
  block_enabled: z.boolean().optional(),
  /** The constraints asked for (policy/config.ts); the later ones are absent from older policies. */
  constraints: z.looseObject({
    minRecall: z.number(), maxFpr: z.number(), queueCapacity: z.number(), minBlockPrecision: z.number().optional(),
    minTopPrecision: z.number().optional(), topShare: z.number().optional(), priority: z.array(z.string()).optional(),
  }).optional(),
  /** recall, fpr, flagged/queue/block share and precision, top precision: each `{ value, ci }`. */
  achieved: z.record(z.string(), valueCiSchema).optional(),
  constraint_status: z.record(z.string(), z.looseObject({ required: z.string(), value: nullableNumber, met: z.boolean(), binding: z.boolean() })).optional(),
  feasible: z.boolean().optional(),
  binding: z.array(bindingNote).optional(),
  compromise: z.looseObject({ statement: z.string(), given_up: z.array(z.string()).optional() }).nullable().optional(),
  per_category: z.record(z.string(), z.looseObject({ block_threshold: probabilitySchema, queue_threshold: probabilitySchema })).optional(),
  category_recall: z.record(z.string(), z.looseObject({ positives: z.number() })).optional(),
  support: z.looseObject({ n: z.number(), positives: z.number() }).optional(),
  bootstrap: z.looseObject({ resamples: z.number(), seed: z.number() }).nullable().optional(),
}).refine((p) => p.queue_threshold <= p.block_threshold, {
  message: 'expected queue_threshold <= block_threshold', path: ['queue_threshold'],
});

export type PolicyFile = z.output<typeof policyFileSchema>;
