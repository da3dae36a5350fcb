import { getMetric, blockPositives, type StoredMetricBlock, type ValueCI } from '../runs/metricsFile.js';
import type { RunData } from '../runs/runFolder.js';
import { standardCriteria } from './criteria.js';
import { policyConfigSchema } from '../policy/config.js';
import type { Criterion, ModelRow, PolicySection, ReportInput, SliceRow, TestSection, TrainingSection } from './types.js';

/**
 * The report sections that a run folder's JSON files already determine (manifest.json, metrics.json,
 * policy.json). Stage outputs that are not in those files (curves, sweep, reliability bins, split
 * audit, drift, latency...) come in `extras` and override what is derived here.
 */

const vc = (b: StoredMetricBlock | undefined, path: string): ValueCI | undefined => getMetric(b, path);
const scalar = (b: StoredMetricBlock | undefined, path: string): number | undefined => getMetric(b, path)?.value;

function rateMap(b: StoredMetricBlock, key: 'recall_at_fpr' | 'precision_at_top'): Record<string, ValueCI> {
  const out: Record<string, ValueCI> = {};
  const raw = b[key];
  if (raw && typeof raw === 'object') for (const k of Object.keys(raw)) { const v = vc(b, `${key}.${k}`); if (v) out[k] = v; }
  return out;
}

interface PolicyTargets { minRecall: number; maxFpr: number; minTopPrecision: number; topShare: number }
// An older manifest may omit a target; the policy config's own defaults fill it (one definition).
const DEFAULT_TARGETS: PolicyTargets = policyConfigSchema.parse({});

function targetsOf(run: RunData): PolicyTargets {
  const p = (run.manifest.config as { policy?: Partial<PolicyTargets> } | undefined)?.policy ?? {};
  const pick = (k: keyof PolicyTargets) => (typeof p[k] === 'number' ? p[k]! : DEFAULT_TARGETS[k]);
  return { minRecall: pick('minRecall'), maxFpr: pick('maxFpr'), minTopPrecision: pick('minTopPrecision'), topShare: pick('topShare') };
}

export function testSectionFromBlock(b: StoredMetricBlock): TestSection {
  return {
    n: typeof b.n === 'number' ? b.n : 0,
    positives: blockPositives(b),
    ap: vc(b, 'ap'), rocAuc: vc(b, 'roc_auc'),
    recallAtFpr: rateMap(b, 'recall_at_fpr'), precisionAtTop: rateMap(b, 'precision_at_top'),
    ece: scalar(b, 'ece'), brier: scalar(b, 'brier'),
  };
}

function modelRow(name: string, b: StoredMetricBlock, note?: string): ModelRow {
  return { name, ap: vc(b, 'ap'), recallAt2Fpr: vc(b, 'recall_at_fpr.0.02'), top1Precision: vc(b, 'precision_at_top.0.01'), rocAuc: scalar(b, 'roc_auc'), ece: scalar(b, 'ece'), note };
}

/** Which `achieved` number measures each policy constraint. */
const ACHIEVED_FOR: Record<string, string> = { fpr: 'fpr', recall: 'recall', queue_capacity: 'queue_share', block_precision: 'block_precision', top_precision: 'top_precision' };

function policySection(policy: Record<string, unknown>): Omit<PolicySection, 'sweep'> | undefined {
  if (typeof policy.block_threshold !== 'number' || typeof policy.queue_threshold !== 'number') return undefined;
  const achieved = (policy.achieved ?? {}) as Record<string, { value: number | null; ci: [number, number] | null } | undefined>;
  const status = (policy.constraint_status ?? {}) as Record<string, { required?: string } | undefined>;
  const constraints: Criterion[] = [];
  for (const [name, st] of Object.entries(status)) {
    const m = /^(>=|<=)\s*([0-9.eE+-]+)$/.exec(st?.required?.trim() ?? '');
    if (!m) continue;
    const a = achieved[ACHIEVED_FOR[name] ?? name];
    constraints.push({
      name: name.replace(/_/g, ' '), direction: m[1] as '>=' | '<=', target: Number(m[2]), unit: '%',
      metric: a && typeof a.value === 'number' ? { value: a.value, ...(a.ci ? { ci: a.ci } : {}) } : null,
    });
  }
  const binding = Array.isArray(policy.binding)
    ? policy.binding.map((b) => (typeof b === 'string' ? b : typeof (b as { statement?: unknown })?.statement === 'string' ? (b as { statement: string }).statement : JSON.stringify(b)))
    : [];
  const share = (k: string) => (typeof achieved[k]?.value === 'number' ? achieved[k]!.value! : undefined);
  const q = share('queue_share'), bl = share('block_share');
  const compromise = (policy.compromise as { statement?: unknown } | null | undefined)?.statement;
  return {
    blockThreshold: policy.block_threshold, queueThreshold: policy.queue_threshold,
    feasible: policy.feasible === true, binding, constraints,
    actionShares: q !== undefined && bl !== undefined ? { allow: 1 - q - bl, queue: q, block: bl } : undefined,
    maxFpr: typeof (policy.constraints as { maxFpr?: unknown } | undefined)?.maxFpr === 'number' ? (policy.constraints as { maxFpr: number }).maxFpr : undefined,
    notes: typeof compromise === 'string' ? [compromise] : undefined,
  };
}

/** The recipe from manifest.json and the model selection from metrics.json (either may be absent in older runs). */
export function trainingSection(run: RunData): TrainingSection | undefined {
  const recipe = run.manifest.recipe;
  const sel = run.metrics.model_selection as {
    towers: NonNullable<TrainingSection['selection']>['towers']; fused: { towers: string[]; calibAp: number; retrained: boolean; calibApAllTowers?: number };
    exported: string; fusionBeatBestTower: boolean | null; reason: string; resamples?: number;
  } | undefined;
  if (!recipe?.entries && !sel) return undefined;
  const st = recipe?.stats;
  return {
    basis: st ? `${st.rows.toLocaleString('en-US')} training rows, ${st.positives.toLocaleString('en-US')} positives, weighted prevalence ${(st.weightedPrevalence * 100).toFixed(2)}%; ${st.rowsPerEpoch.toLocaleString('en-US')} rows and ${st.stepsPerEpoch} optimiser steps per epoch` : undefined,
    recipe: recipe?.entries ?? [],
    selection: sel ? {
      towers: sel.towers, fusedCalibAp: sel.fused.calibAp, fusedTowers: sel.fused.towers, fusedRetrained: sel.fused.retrained,
      fusedCalibApAllTowers: sel.fused.calibApAllTowers, exported: sel.exported, fusionBeatBestTower: sel.fusionBeatBestTower, reason: sel.reason, resamples: sel.resamples,
    } : undefined,
  };
}

/** Build a ReportInput from a run folder, merged with stage outputs the folder's JSON does not hold. */
export function reportInputFromRun(run: RunData, extras: Partial<ReportInput> = {}): ReportInput {
  const m = run.manifest;
  const metrics = run.metrics;
  const cfg = (m.config ?? {}) as { description?: string; eval?: { minSlicePositives?: number } };
  const test = testSectionFromBlock(metrics.test);
  test.criteria = standardCriteria(test, targetsOf(run), extras.latency);
  const models: ModelRow[] = Object.entries(metrics.models ?? {}).map(([name, v]) => modelRow(name, v.test));
  if (metrics.oracle?.test) models.push(modelRow('oracle (ceiling)', metrics.oracle.test, 'best achievable given the generator'));
  const minPositives = cfg.eval?.minSlicePositives ?? 20;
  const slices: SliceRow[] = Object.entries(metrics.slices ?? {}).map(([slice, b]) => ({
    slice, n: typeof b.n === 'number' ? b.n : 0, positives: blockPositives(b),
    ap: vc(b, 'ap'), recall: vc(b, 'recall_at_fpr.0.02'), top1Precision: vc(b, 'precision_at_top.0.01'),
  }));
  const pol = run.policy ? policySection(run.policy) : undefined;
  const base: ReportInput = {
    runId: run.id,
    createdAt: m.createdAt,
    overview: {
      configName: m.configName ?? undefined, description: cfg.description || undefined,
      datasetPath: m.dataset?.path, datasetFingerprint: m.dataset?.fingerprint, splitFingerprint: m.split?.fingerprint,
      gitCommit: m.git?.commit, backend: m.backend, node: m.node, timings: m.timings, versions: m.versions,
    },
    test,
    models: models.length ? { rows: models } : undefined,
    training: trainingSection(run),
    slices: slices.length ? { minPositives, rows: slices } : undefined,
    policy: pol ? { sweep: [], ...pol } : undefined,
  };
  // Extras win, except that a policy section from extras keeps the folder's numbers it does not set.
  const policy = extras.policy && base.policy ? { ...base.policy, ...extras.policy } : extras.policy ?? base.policy;
  return { ...base, ...extras, policy };
}
