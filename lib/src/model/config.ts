import { z } from 'zod';

export const modelConfigSchema = z.object({
  /** Towers by registered name; the fused model uses all listed. */
  towers: z.array(z.enum(['meta', 'visual', 'audio', 'text'])).min(1).default(['meta', 'visual', 'audio', 'text']),
  /** Pooling over frames / audio segments: a registered pooling name. */
  pooling: z.string().default('attention'),
  /** Fusion head: a registered fusion name. */
  fusion: z.string().default('mlp'),
  hidden: z.number().int().min(1).default(32),
  attentionDim: z.number().int().min(1).default(16),
  fusionHidden: z.number().int().min(1).default(8),
  /** Probability of dropping each optional modality (audio, text) per training example. */
  modalityDropout: z.number().min(0).max(1).default(0.1),
}).strict();
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** A recipe field: a number, or absent / 'auto' for the derived value. */
const auto = (n: z.ZodNumber) => z.union([n, z.literal('auto')]).optional();

export const trainConfigSchema = z.object({
  // The six recipe fields below are optional: absent (or 'auto') means the training recipe
  // (model/recipe.ts) derives them from the training rows; a number set here or by --set wins.
  epochs: auto(z.number().int().min(1)),
  batchSize: auto(z.number().int().min(1)),
  learningRate: auto(z.number().positive()),
  loss: z.enum(['bce', 'focal']).default('bce'),
  focalGamma: z.number().min(0).default(2),
  /** Weight of positives relative to negatives in the loss (after downsampling). */
  positiveWeight: auto(z.number().positive()),
  /** Fraction of training negatives kept (negative downsampling); the probability is corrected after. */
  negativeKeepRate: auto(z.number().positive().max(1)),
  /** Label-noise handling (measured neutral on `default`; see docs/training.md). */
  noise: z.enum(['none', 'confident_learning']).default('confident_learning'),
  /** What happens to training rows flagged as likely mislabelled: dropped, or kept at `noiseWeight`. */
  noiseAction: z.enum(['drop', 'downweight']).default('downweight'),
  noiseWeight: z.number().min(0).max(1).default(0.2),
  /** Per observed class, at most this fraction × (observed positives) rows are flagged, most confident first. */
  noiseMaxFraction: z.number().min(0).max(1).default(0.2),
  /** Batches per length bucket: rows are sorted by frame count within chunks of this many batches. */
  bucketBatches: z.number().int().min(1).default(16),
  earlyStoppingPatience: auto(z.number().int().min(1)),
  /** 'auto' tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  seed: z.number().int().default(7),
}).strict();
export type TrainConfig = z.infer<typeof trainConfigSchema>;
