import { RECIPE_FIELD_NAMES } from '../artifacts/manifest.js';
import type { VideoTable } from '../data/table.js';
import { VigilError } from '../util/errors.js';
import type { TrainConfig } from './config.js';

/**
 * The training recipe: the optimisation settings that depend on the size and class balance of the
 * training rows (negative downsampling, positive weight, batch size, epochs, learning rate,
 * early-stopping patience). A value the experiment sets explicitly wins; an absent (or 'auto') one is
 * derived from the training rows here, with a one-line reason that the manifest and report show.
 *
 * The thresholds are chosen so that the simulator's `default` and `bench` presets (≈ 0.3% weighted
 * prevalence, 37k–80k stored training rows, ~60 stored negatives per positive) get exactly the values
 * measured best there (docs/training.md), while a small, balanced set is no longer downsampled,
 * up-weighted, or trained for a few dozen optimiser steps.
 */
/** The fields a recipe sets: the run-folder schema's list (artifacts/manifest.ts), so the two cannot differ. */
export const RECIPE_FIELDS = RECIPE_FIELD_NAMES;
export type RecipeField = typeof RECIPE_FIELDS[number];

/** A train config whose recipe fields all hold numbers (what training reads). */
export type ResolvedTrainConfig = Omit<TrainConfig, RecipeField> & { [K in RecipeField]: number };

/** What the recipe is derived from: the training rows only. */
export interface TrainingStats {
  rows: number;
  positives: number;
  /** Σ storage weight of positive / negative training rows (the stream each row stands for). */
  positiveWeightSum: number;
  negativeWeightSum: number;
}

export interface RecipeEntry {
  field: RecipeField;
  value: number;
  source: 'explicit' | 'derived';
  reason: string;
}

export interface Recipe {
  stats: TrainingStats & { weightedPrevalence: number; negativesPerPositive: number; rowsPerEpoch: number; stepsPerEpoch: number };
  entries: RecipeEntry[];
}

/** Negatives per positive (stored rows) above which downsampling is considered at all. */
export const DOWNSAMPLE_MIN_RATIO = 20;
/** Stored negatives below which every negative is kept (a small set needs all of them). */
export const DOWNSAMPLE_MIN_NEGATIVES = 20_000;
/** Downsampling stops before fewer than this many negatives per positive, or this many negatives, remain. */
export const KEEP_MIN_RATIO = 12;
export const KEEP_MIN_NEGATIVES = 8_000;
/** Positives should carry at least this share of the (weighted, downsampled) loss mass… */
export const POSITIVE_LOSS_SHARE = 0.05;
/** …but no positive is up-weighted more than this (a few hundred positives would dominate and overfit). */
export const MAX_POSITIVE_WEIGHT = 5;
/** Aim for about this many optimiser steps per epoch; the batch is a power of two in [MIN_BATCH, MAX_BATCH]. */
export const STEPS_PER_EPOCH = 10;
export const MIN_BATCH = 32;
export const MAX_BATCH = 1024;
/** At least this many epochs, and at least this many examples seen in all (small sets need many passes). */
export const MIN_EPOCHS = 14;
export const MIN_EXAMPLES = 60_000;
export const MAX_EPOCHS = 200;
export const MIN_PATIENCE = 3;
/** Adam step size; measured on `default` (docs/training.md). */
export const LEARNING_RATE = 0.008;

/** Counts and storage-weight sums of the given (training) rows. */
export function trainingStats(table: VideoTable, rows: ArrayLike<number>): TrainingStats {
  let positives = 0, pw = 0, nw = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (table.harmful[r] === 1) { positives++; pw += table.weight[r]; } else nw += table.weight[r];
  }
  return { rows: rows.length, positives, positiveWeightSum: pw, negativeWeightSum: nw };
}

const explicitOf = (t: TrainConfig, f: RecipeField): number | undefined => {
  const v = (t as Record<string, unknown>)[f];
  return typeof v === 'number' ? v : undefined;
};

const pow2Round = (x: number) => 2 ** Math.round(Math.log2(Math.max(x, 1)));
const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toPrecision(3));

/** Decide every recipe field from the training statistics; explicit values in `train` win. */
export function deriveRecipe(stats: TrainingStats, train: TrainConfig): Recipe {
  const { rows, positives } = stats;
  if (!(rows > 0) || !(positives > 0)) {
    throw new VigilError(`'train': the recipe needs training rows with at least one positive (got ${rows} rows, ${positives} positives)`, { field: 'harmful' });
  }
  const negatives = rows - positives;
  const ratio = negatives / positives;
  const weightedPrevalence = stats.positiveWeightSum / Math.max(stats.positiveWeightSum + stats.negativeWeightSum, 1e-12);
  const entries: RecipeEntry[] = [];
  const put = (field: RecipeField, derive: () => { value: number; reason: string }): number => {
    const e = explicitOf(train, field);
    if (e !== undefined) {
      entries.push({ field, value: e, source: 'explicit', reason: 'set in the experiment config' });
      return e;
    }
    const d = derive();
    entries.push({ field, value: d.value, source: 'derived', reason: d.reason });
    return d.value;
  };

  const keep = put('negativeKeepRate', () => {
    if (ratio <= DOWNSAMPLE_MIN_RATIO || negatives < DOWNSAMPLE_MIN_NEGATIVES) {
      return { value: 1, reason: `all negatives kept: ${fmt(negatives)} negatives, ${ratio.toFixed(1)} per positive (downsampling needs > ${DOWNSAMPLE_MIN_RATIO} per positive and ≥ ${fmt(DOWNSAMPLE_MIN_NEGATIVES)})` };
    }
    // Halve while at least KEEP_MIN_RATIO negatives per positive and KEEP_MIN_NEGATIVES negatives remain.
    let r = 1;
    while (r > 1 / 64 && (r / 2) * ratio >= KEEP_MIN_RATIO && (r / 2) * negatives >= KEEP_MIN_NEGATIVES) r /= 2;
    return { value: r, reason: `${ratio.toFixed(1)} negatives per positive in ${fmt(negatives)}: keep ${r} of them per epoch (≥ ${KEEP_MIN_RATIO} per positive and ≥ ${fmt(KEEP_MIN_NEGATIVES)} remain)` };
  });

  put('positiveWeight', () => {
    const negMass = stats.negativeWeightSum * keep, posMass = stats.positiveWeightSum;
    const need = (POSITIVE_LOSS_SHARE / (1 - POSITIVE_LOSS_SHARE)) * (negMass / Math.max(posMass, 1e-12));
    const value = Math.min(MAX_POSITIVE_WEIGHT, Math.max(1, Math.round(need * 10) / 10));
    const share = posMass / (posMass + negMass);
    return {
      value,
      reason: value === 1
        ? `positives already carry ${(share * 100).toFixed(1)}% of the loss mass (≥ ${POSITIVE_LOSS_SHARE * 100}%): no up-weighting`
        : `positives carry ${(share * 100).toFixed(2)}% of the loss mass after downsampling; ×${value} lifts them toward ${POSITIVE_LOSS_SHARE * 100}% (capped at ×${MAX_POSITIVE_WEIGHT})`,
    };
  });

  const rowsPerEpoch = Math.max(1, Math.round(positives + negatives * keep));
  const batch = put('batchSize', () => {
    const value = Math.min(MAX_BATCH, Math.max(MIN_BATCH, pow2Round(rowsPerEpoch / STEPS_PER_EPOCH)));
    return { value, reason: `${fmt(rowsPerEpoch)} rows per epoch: about ${STEPS_PER_EPOCH} steps per epoch, a power of two in [${MIN_BATCH}, ${MAX_BATCH}]` };
  });
  const stepsPerEpoch = Math.ceil(rowsPerEpoch / batch);

  const epochs = put('epochs', () => {
    const value = Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, Math.ceil(MIN_EXAMPLES / rowsPerEpoch)));
    return { value, reason: `≥ ${MIN_EPOCHS} epochs and ≥ ${fmt(MIN_EXAMPLES)} examples seen: ${value} epochs × ${stepsPerEpoch} steps of batch ${batch} = ${fmt(value * stepsPerEpoch)} steps (early stopping keeps the best epoch)` };
  });

  put('learningRate', () => ({ value: LEARNING_RATE, reason: `Adam at the rate measured on the simulator; the batch rule keeps ~${STEPS_PER_EPOCH} steps per epoch, so it is not rescaled` }));

  put('earlyStoppingPatience', () => {
    const value = Math.max(MIN_PATIENCE, Math.ceil(epochs / 8));
    return { value, reason: `an eighth of ${epochs} epochs (at least ${MIN_PATIENCE}): calibration AP is noisy epoch to epoch on long schedules` };
  });

  return { stats: { ...stats, weightedPrevalence, negativesPerPositive: ratio, rowsPerEpoch, stepsPerEpoch }, entries };
}

/** The train config with every recipe field set to the recipe's value. */
export function applyRecipe(train: TrainConfig, recipe: Recipe): ResolvedTrainConfig {
  const out = { ...train } as Record<string, unknown>;
  for (const e of recipe.entries) out[e.field] = e.value;
  return out as ResolvedTrainConfig;
}

/** Derive the recipe from `rows` (the training rows) and apply it. */
export function resolveTrainConfig(table: VideoTable, rows: ArrayLike<number>, train: TrainConfig): { train: ResolvedTrainConfig; recipe: Recipe } {
  const recipe = deriveRecipe(trainingStats(table, rows), train);
  return { train: applyRecipe(train, recipe), recipe };
}

/** One line per field, for `vigil run` output and logs. */
export function formatRecipe(recipe: Recipe): string[] {
  const s = recipe.stats;
  return [
    `training recipe (${fmt(s.rows)} training rows, ${fmt(s.positives)} positives, weighted prevalence ${(s.weightedPrevalence * 100).toFixed(2)}%):`,
    ...recipe.entries.map((e) => `  ${e.field.padEnd(22)} ${String(e.value).padEnd(7)} ${e.source === 'explicit' ? 'explicit' : 'derived '}  ${e.reason}`),
  ];
}
