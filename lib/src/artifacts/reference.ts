import { z } from 'zod';

const embeddingReference = z.object({
  dim: z.number().int().nonnegative(),
  mean: z.array(z.number()),
  directions: z.array(z.array(z.number())),
  centroids: z.array(z.array(z.number())).optional(),
});

/**
 * `reference.json`: the drift reference (monitor/): binned shares of every input feature over the
 * training weeks and of the score over the calibration window, plus embedding summaries.
 */
export const referenceFileSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  rows: z.number().int().nonnegative(),
  features: z.array(z.object({
    name: z.string(),
    group: z.enum(['metadata', 'visual', 'audio', 'text', 'labels', 'score']),
    kind: z.enum(['numeric', 'categorical']),
    edges: z.array(z.number()).optional(),
    levels: z.array(z.string()).optional(),
    conditional: z.boolean().optional(),
    n: z.number().optional(),
    shares: z.array(z.number()),
  })),
  embeddings: z.object({ visual: embeddingReference.optional(), audio: embeddingReference.optional() }),
});

export type ReferenceFile = z.output<typeof referenceFileSchema>;
