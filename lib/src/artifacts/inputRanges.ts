import { z } from 'zod';

const interval = z.object({ min: z.number(), max: z.number() })
  .refine((v) => v.min <= v.max, { message: 'expected {min, max} with finite min <= max' });
const dims = z.object({ min: z.array(z.number()), max: z.array(z.number()) })
  .refine((v) => v.min.length === v.max.length && v.min.every((lo, k) => lo <= v.max[k]), {
    message: 'expected {min: number[], max: number[]} of equal length with min <= max',
  });

/**
 * `input_ranges.json`: the training rows' observed range of every numeric request input, before the
 * widening serving applies (serve/inputRanges.ts). null: the training rows never had the quantity.
 */
export const inputRangesFileSchema = z.object({
  formatVersion: z.literal(1),
  /** Training rows the ranges were measured on. */
  rows: z.number().int().nonnegative(),
  scalars: z.object({
    duration_s: interval.nullable(),
    account_age_days: interval.nullable(),
    prior_strikes: interval.nullable(),
    frame_ts: interval.nullable(),
    audio_ts: interval.nullable(),
  }),
  frame_emb: dims.nullable(),
  audio_emb: dims.nullable(),
});

export type InputRangesFile = z.output<typeof inputRangesFileSchema>;
