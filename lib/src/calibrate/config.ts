import { z } from 'zod';

export const calibrationConfigSchema = z.object({
  methods: z.array(z.enum(['platt', 'isotonic', 'temperature'])).min(1).default(['platt', 'isotonic', 'temperature']),
}).strict();
export type CalibrationConfig = z.infer<typeof calibrationConfigSchema>;
