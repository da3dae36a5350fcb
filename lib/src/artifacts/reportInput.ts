import { z } from 'zod';

/**
 * `report-input.json`: the report's input with curves thinned (report/render.ts), so `vigil report`
 * re-renders without recomputing. Its sections are the report's own types (report/types.ts); the
 * file is checked for the run it belongs to and for sections being objects.
 */
export const reportInputFileSchema = z.looseObject({
  runId: z.string(),
  title: z.string().optional(),
  createdAt: z.string().optional(),
  overview: z.looseObject({}).optional(),
  profile: z.looseObject({}).optional(),
  split: z.looseObject({}).optional(),
  models: z.looseObject({}).optional(),
  training: z.looseObject({}).optional(),
  test: z.looseObject({}).optional(),
  curves: z.looseObject({}).optional(),
  slices: z.looseObject({}).optional(),
  policy: z.looseObject({}).optional(),
  reliability: z.looseObject({}).optional(),
  attention: z.looseObject({}).optional(),
  drift: z.looseObject({}).optional(),
  labelNoise: z.looseObject({}).optional(),
  latency: z.looseObject({}).optional(),
  reasonCodes: z.looseObject({}).optional(),
});

export type ReportInputFile = z.output<typeof reportInputFileSchema>;
