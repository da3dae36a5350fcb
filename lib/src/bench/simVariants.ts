import type { ExperimentConfig } from '../config.js';
import { pairedDeltaCi } from '../runs/compare.js';
import { buildKnobs, knobChanges, SIM_VARIANTS } from '../simulate/variants.js';
import type { SimKnobs } from '../simulate/presets.js';
import { VigilError } from '../util/errors.js';
import { info } from '../util/progress.js';
import { DETECTOR_ROW, runQuality, type QualityArtifacts, type QualityResult, type QualityRow } from './quality.js';

/**
 * The `variants` section of `vigil bench`: the quality table (same machinery, same split and
 * metrics) on hard-case worlds of the simulator — fusion against each single-modality tower, and on
 * the faint-segment world against the frame-level reference detector — with paired bootstrap
 * intervals for the differences that matter:
 * - fusion − best single tower: late fusion should never be worse than its best input (it is on a
 *   noise-modality world that this is tested);
 * - visual tower − frame detector: how much of the findable frame signal the attention tower leaves.
 */
export const BENCH_SIM_VARIANTS = ['faint-segment', 'noise-visual'];
/** In-repo models of the section: fusion and the four towers. */
export const VARIANT_MODELS = ['fusion', 'tower:meta', 'tower:visual', 'tower:audio', 'tower:text'];

export interface PairedDelta {
  /** b − a on the point estimate. */
  a: string;
  b: string;
  metric: 'ap' | 'recallAt2Fpr';
  delta: number | null;
  /** 95% percentile interval of the paired bootstrap differences (same creators per resample). */
  ci: [number, number] | null;
}

export interface SimVariantResult {
  variant: string;
  knobs: Partial<SimKnobs>;
  quality: Omit<QualityResult, 'artifacts'>;
  /** Best single tower by AP point estimate, and fusion minus it. */
  bestTower: string | null;
  fusionVsBestTower: PairedDelta[];
  /** Faint-segment only: the visual tower minus the frame detector. */
  visualVsDetector: PairedDelta[];
}

export interface SimVariantsResult {
  preset: string;
  results: SimVariantResult[];
}

export interface SimVariantsOptions {
  preset: string;
  seed: number;
  cfg: ExperimentConfig;
  workDir: string;
  variants?: string[];
  models?: string[];
}

/** Check a `--sim-variants` list before minutes of work. */
export function parseSimVariants(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [...BENCH_SIM_VARIANTS];
  const out = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const v of out) {
    if (v === 'none' || !Object.prototype.hasOwnProperty.call(SIM_VARIANTS, v)) {
      throw new VigilError(`--sim-variants: unknown simulator variant '${v}' (known: ${Object.keys(SIM_VARIANTS).filter((k) => k !== 'none').join(', ')})`, { field: 'sim-variants' });
    }
  }
  return out;
}

/** The variant section's dataset size: the quality preset, but never above `default` (time). */
export function variantPresetFor(qualityPreset: string): string {
  return qualityPreset === 'tiny' ? 'tiny' : 'default';
}

/** b − a with its paired interval, from one quality run's draws; null when a row is missing. */
export function pairedDelta(rows: QualityRow[], draws: QualityArtifacts['draws'], a: string, b: string, metric: PairedDelta['metric']): PairedDelta {
  const row = (k: string) => rows.find((r) => (r.variant ?? r.model) === k && r.status === 'ok');
  const ra = row(a), rb = row(b);
  const va = ra?.[metric]?.value, vb = rb?.[metric]?.value;
  const da = draws[a]?.[metric], db = draws[b]?.[metric];
  return {
    a, b, metric,
    delta: va != null && vb != null ? vb - va : null,
    ci: da && db ? pairedDeltaCi(Array.from(da), Array.from(db)) : null,
  };
}

/** Best tower by AP point estimate (ties: first in table order). */
export function bestTower(rows: QualityRow[]): string | null {
  let best: QualityRow | null = null;
  for (const r of rows) {
    if (r.status !== 'ok' || !r.variant?.startsWith('tower:') || r.ap?.value == null) continue;
    if (!best || (r.ap.value > (best.ap!.value as number))) best = r;
  }
  return best?.variant ?? null;
}

export async function runSimVariants(o: SimVariantsOptions): Promise<SimVariantsResult> {
  const variants = o.variants ?? BENCH_SIM_VARIANTS;
  const results: SimVariantResult[] = [];
  for (const variant of variants) {
    const knobs = buildKnobs(variant);
    info(`bench variants: '${variant}' on preset '${o.preset}' (${JSON.stringify(knobChanges(knobs))})`);
    const q = await runQuality({
      preset: o.preset, seed: o.seed, cfg: o.cfg, workDir: o.workDir, peers: false,
      variants: o.models ?? VARIANT_MODELS, knobs, simVariant: variant,
    });
    const { artifacts, ...plain } = q;
    const draws = artifacts?.draws ?? {};
    const rows = plain.rowsTable;
    const tower = bestTower(rows);
    const metrics: PairedDelta['metric'][] = ['ap', 'recallAt2Fpr'];
    results.push({
      variant, knobs: knobChanges(knobs), quality: plain, bestTower: tower,
      fusionVsBestTower: tower ? metrics.map((m) => pairedDelta(rows, draws, tower, 'fusion', m)) : [],
      visualVsDetector: rows.some((r) => r.variant === DETECTOR_ROW) ? metrics.map((m) => pairedDelta(rows, draws, DETECTOR_ROW, 'tower:visual', m)) : [],
    });
  }
  return { preset: o.preset, results };
}
