import { z } from 'zod';
import { sha256Schema } from './values.js';

/** The fields a training recipe sets (model/recipe.ts derives them; its RECIPE_FIELDS is this list). */
export const RECIPE_FIELD_NAMES = ['negativeKeepRate', 'positiveWeight', 'batchSize', 'epochs', 'learningRate', 'earlyStoppingPatience'] as const;

/** The `serving` section of `manifest.json` (export/bundle.ts): what `vigil serve` verifies. */
export const servingManifestSchema = z.object({
  formatVersion: z.number().int(),
  modelVersion: z.string().min(1, 'expected a non-empty model version'),
  /** ISO time the bundle was written. */
  exportedAt: z.string(),
  files: z.record(z.string(), z.object({ sha256: sha256Schema, bytes: z.number().int().nonnegative() })),
});

/**
 * `manifest.json`: everything needed to reproduce a run and verify its files (runs/manifest.ts
 * `buildManifest`, then the run adds `extractor`, `serving` and `towers`). The sections added after
 * the first runs (`runId`, `recipe`, `extractor`, `serving`, `towers`) are optional so an older run
 * still reads; a section that is present must have its shape.
 */
export const manifestFileSchema = z.looseObject({
  runId: z.string().optional(),
  createdAt: z.string(),
  /** The experiment config as the run used it (config.ts validated it when the run started). */
  config: z.looseObject({ name: z.string().optional() }),
  configName: z.string().nullable(),
  dataset: z.object({ path: z.string(), fingerprint: z.string().nullable() }),
  split: z.object({ fingerprint: z.string().nullable() }),
  /** The TF.js backend training used. */
  backend: z.string().nullable(),
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  versions: z.record(z.string(), z.string().nullable()),
  node: z.string(),
  machine: z.object({ platform: z.string(), arch: z.string(), cpus: z.number(), cpuModel: z.string(), memoryBytes: z.number() }),
  /** Seconds per stage, in the order the stages ran. */
  timings: z.record(z.string(), z.number()),
  /** sha256 of every artifact, by path relative to the run folder. */
  files: z.record(z.string(), sha256Schema),
  /** The training recipe: each value, explicit or derived, and why (model/recipe.ts `Recipe`). */
  recipe: z.object({
    stats: z.object({
      rows: z.number(), positives: z.number(), positiveWeightSum: z.number(), negativeWeightSum: z.number(),
      weightedPrevalence: z.number(), negativesPerPositive: z.number(), rowsPerEpoch: z.number(), stepsPerEpoch: z.number(),
    }),
    entries: z.array(z.object({ field: z.enum(RECIPE_FIELD_NAMES), value: z.number(), source: z.enum(['explicit', 'derived']), reason: z.string() })),
  }).optional(),
  /** The feature extractor behind the dataset; null for simulated or external embeddings. */
  extractor: z.string().nullable().optional(),
  serving: servingManifestSchema.optional(),
  /** The fused model's towers and the configured ones the data could not support. */
  towers: z.object({ towers: z.array(z.string()), dropped: z.array(z.object({ tower: z.string(), reason: z.string() })) }).optional(),
});

export type ManifestFile = z.output<typeof manifestFileSchema>;
export type ServingManifest = z.output<typeof servingManifestSchema>;

/**
 * manifest.json as serving reads it: the `serving` section (and the dataset's `extractor`, which
 * `vigil score --video` must match). A serving bundle written outside a run has only these, and
 * during a run the bundle's section is written before the run manifest is merged around it.
 */
export const bundleManifestSchema = z.looseObject({
  serving: servingManifestSchema.optional(),
  extractor: z.string().nullable().optional(),
});
