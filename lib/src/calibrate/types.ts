import { z } from 'zod';
import { VigilError } from '../util/errors.js';

/**
 * The fitted calibrator (plain JSON; also compiled into the ONNX graph). With `z' = z + shift`
 * (`shift = log(negativeKeepRate)`, the downsampling correction):
 * platt `σ(a·z' + b)`, temperature `σ(z'/T)`, isotonic `values[#{k : thresholds[k] <= z'}]`
 * with `values.length = thresholds.length + 1`.
 */
export type Calibrator =
  | { method: 'platt'; shift: number; a: number; b: number }
  | { method: 'temperature'; shift: number; T: number }
  | { method: 'isotonic'; shift: number; thresholds: number[]; values: number[] };

export type CalibrationMethod = Calibrator['method'];

const finite = z.number().finite();
const calibratorSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('platt'), shift: finite, a: finite, b: finite }).strict(),
  z.object({ method: z.literal('temperature'), shift: finite, T: finite.positive() }).strict(),
  z.object({
    method: z.literal('isotonic'), shift: finite,
    thresholds: z.array(finite), values: z.array(finite.min(0).max(1)).min(1),
  }).strict(),
]);

/** Validates a calibrator read from disk (e.g. a run folder) and names the bad field. */
export function parseCalibrator(raw: unknown): Calibrator {
  const r = calibratorSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new VigilError(`calibrator '${i.path.join('.') || '(root)'}': ${i.message}`, { field: i.path.join('.') || 'calibrator' });
  }
  const c = r.data;
  if (c.method === 'isotonic') {
    if (c.values.length !== c.thresholds.length + 1) {
      throw new VigilError(`calibrator 'values': length ${c.values.length} must be thresholds length ${c.thresholds.length} + 1`, { field: 'values' });
    }
    for (let k = 1; k < c.thresholds.length; k++) {
      if (!(c.thresholds[k] > c.thresholds[k - 1])) throw new VigilError(`calibrator 'thresholds' at ${k}: must be strictly increasing`, { field: 'thresholds', row: k });
    }
  }
  return c;
}
