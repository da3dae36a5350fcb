import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { splitConfigSchema } from './split/config.js';
import { featuresConfigSchema } from './features/config.js';
import { modelConfigSchema, trainConfigSchema } from './model/config.js';
import { calibrationConfigSchema } from './calibrate/config.js';
import { policyConfigSchema } from './policy/config.js';
import { evalConfigSchema } from './eval/config.js';
import { gateConfigSchema } from './runs/config.js';
import { VigilError } from './util/errors.js';

// The run's own sections (side-by-side models, the closing serving check) are read by pipeline/,
// which reads this whole config, so they are defined here rather than in pipeline/ (one-way imports).
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

/**
 * The one experiment config. Defaults live in the section schemas; `experiments/*.json` override
 * them; CLI flags (`--set a.b=value`) override that.
 */
export const experimentConfigSchema = z.object({
  name: z.string().default('default'),
  description: z.string().default(''),
  data: z.object({
    /** Dataset folder (videos.parquet, ...). */
    path: z.string().default('datasets/default'),
    /** When the folder is missing, simulate it with this preset. null = never simulate. */
    simulatePreset: z.enum(['tiny', 'default', 'bench']).nullable().default('default'),
    seed: z.number().int().default(1),
  }).strict().prefault({}),
  split: splitConfigSchema.prefault({}),
  features: featuresConfigSchema.prefault({}),
  model: modelConfigSchema.prefault({}),
  train: trainConfigSchema.prefault({}),
  calibration: calibrationConfigSchema.prefault({}),
  policy: policyConfigSchema.prefault({}),
  eval: evalConfigSchema.prefault({}),
  compare: compareConfigSchema.prefault({}),
  serving: servingCheckConfigSchema.prefault({}),
  /** Promotion gate used by `vigil compare` / `vigil promote` against this run. */
  gate: gateConfigSchema.prefault({}),
  /** Where run folders go. */
  runsDir: z.string().default('experiments/runs'),
}).strict();

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;

function formatIssues(err: z.ZodError, source: string): string {
  return err.issues
    .map((i) => `${source}: '${i.path.join('.') || '(root)'}': ${i.message}`)
    .join('\n');
}

/** Validate a plain object as an experiment config, filling defaults. */
export function parseConfig(raw: unknown, source = 'config'): ExperimentConfig {
  const r = experimentConfigSchema.safeParse(raw ?? {});
  if (!r.success) throw new VigilError(formatIssues(r.error, source));
  return r.data;
}

/** Set `a.b.c` in a nested object from a CLI string value (JSON when it parses, else string). */
export function applyOverride(obj: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new VigilError(`--set '${assignment}': expected key.path=value`, { field: assignment });
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try { value = JSON.parse(text); } catch { value = text; }
  let cur: Record<string, unknown> = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/** Load a config file (or defaults when `path` is undefined) and apply `--set` overrides. */
export function loadConfig(path: string | undefined, overrides: string[] = []): ExperimentConfig {
  let raw: Record<string, unknown> = {};
  if (path) {
    if (!existsSync(path)) throw new VigilError(`config file '${path}' does not exist`, { field: 'config' });
    try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
      throw new VigilError(`config file '${path}' is not valid JSON: ${(e as Error).message}`, { field: 'config' });
    }
  }
  for (const o of overrides) applyOverride(raw, o);
  return parseConfig(raw, path ?? 'config');
}
