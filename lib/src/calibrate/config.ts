import { z } from 'zod';

export const calibrationConfigSchema = z.object({
  methods: z.array(z.enum(['platt', 'isotonic', 'temperature'])).min(1).default(['platt', 'isotonic', 'temperature']),
  /** Cross-fit folds (group-aware) used to compare methods by held-out log-loss. */
  folds: z.number().int().min(2).default(2),
  seed: z.number().int().default(13),
}).strict();
export type CalibrationConfig = z.infer<typeof calibrationConfigSchema>;
