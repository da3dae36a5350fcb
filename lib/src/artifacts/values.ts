import { z } from 'zod';

/**
 * Value shapes shared by the run folder's JSON files. A metric that is undefined on the data is
 * NaN in memory and `null` in the file (JSON has no NaN), so file schemas accept null there.
 */
export const nullableNumber = z.number().nullable();

/** A 95% interval `[lo, hi]`; null when the bootstrap could not define it. */
export const ciSchema = z.tuple([nullableNumber, nullableNumber]).nullable();

/** `{ value, ci }`: a point estimate with its interval. */
export const valueCiSchema = z.looseObject({ value: nullableNumber, ci: ciSchema.optional() });

/** A stored metric: a plain number (older files, hand-written fixtures) or `{ value, ci }`. */
export const storedMetricSchema = z.union([nullableNumber, valueCiSchema]);

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest (64 lowercase hex characters)');

export const probabilitySchema = z.number().min(0, 'expected a probability in [0, 1]').max(1, 'expected a probability in [0, 1]');
