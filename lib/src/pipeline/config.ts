import { z } from 'zod';

/** Which side-by-side models a run trains besides the main fusion model, and the leakage demo. */
export const compareConfigSchema = z.object({
  /** Model variants (see model/compare.ts VARIANTS) evaluated next to the fusion model. */
  variants: z.array(z.string()).default([
    'fusion:mean', 'fusion:no_noise', 'tower:meta', 'tower:visual', 'tower:audio', 'tower:text', 'cart', 'logistic',
  ]),
  /** Train the logistic baseline under a random row split and under the safe split and compare. */
  leakageDemo: z.boolean().default(true),
}).strict();
export type CompareConfig = z.infer<typeof compareConfigSchema>;

/** The serving check a run ends with: ONNX parity with TF.js and in-process latency. */
export const servingCheckConfigSchema = z.object({
  /** Test videos scored by both TF.js and ONNX for the parity check. */
  parityRows: z.number().int().min(1).default(2000),
  /** Largest allowed |ONNX − TF.js| over risk, logits and attention. */
  parityTolerance: z.number().positive().default(1e-4),
  /** Timed single-video requests per frame count. */
  latencyIterations: z.number().int().min(1).default(200),
  threads: z.number().int().min(1).default(1),
}).strict();
export type ServingCheckConfig = z.infer<typeof servingCheckConfigSchema>;
