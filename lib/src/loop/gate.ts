import { prepareScored, curveOf } from '../stats/curves.js';
import { averagePrecision, recallAtFpr } from '../stats/metrics.js';
import { groupBootstrap } from '../stats/bootstrap.js';
import { compareRuns, type Comparison } from '../runs/compare.js';
import type { RunData } from '../runs/runFolder.js';
import type { BootstrapFile } from '../runs/bootstrapFile.js';
import { scoreRows, type LoopModel } from './models.js';
import type { LoopWorld } from './world.js';

/** The gate's verdict on one weekly candidate, with the numbers it judged. */
export interface GateOutcome {
  verdict: 'promote' | 'reject' | 'insufficient';
  reasons: string[];
  holdoutLabels: number;
  holdoutPositives: number;
  current: { ap: number | null; recall_at_fpr_0_02: number | null };
  candidate: { ap: number | null; recall_at_fpr_0_02: number | null };
}

const GATED = { ap: 'ap', recall: 'recall_at_fpr.0.02' } as const;

function asRun(id: string, m: LoopModel, world: LoopWorld, rows: number[], labels: number[], weights: number[], resamples: number, seed: number): RunData {
  const p = prepareScored(scoreRows(world, m, rows), labels, weights, rows.map((r) => world.creatorId[r]));
  const b = groupBootstrap(p, (mult) => {
    const c = curveOf(p, mult);
    return { [GATED.ap]: averagePrecision(c), [GATED.recall]: recallAtFpr(c, 0.02).value };
  }, { resamples, seed });
  const vci = (k: string) => ({ value: b.point[k], ...(b.ci[k] ? { ci: b.ci[k] as [number, number] } : {}) });
  const bootstrap: BootstrapFile = {
    // Both models are scored on the same holdout rows with the same seed: the resamples pair.
    sampleKey: `loop-holdout-${seed}-${rows.length}`, resamples,
    blocks: { test: Object.fromEntries(Object.entries(b.draws).map(([k, v]) => [k, Array.from(v, (x) => (Number.isFinite(x) ? x : null))])) },
  };
  // The gate reads only id, metrics, bootstrap and policy; the loop's models have no run folder.
  return { id, dir: '', manifest: {} as RunData['manifest'], metrics: { test: { ap: vci(GATED.ap), recall_at_fpr: { '0.02': vci(GATED.recall) } } }, bootstrap };
}

/**
 * The runs/ promotion gate applied to a weekly candidate: both models scored on the labels the loop
 * produced in the week the candidate did not train on, paired creator bootstrap, and `compareRuns`'
 * rule (reject on a significant drop in AP or recall at 2% FPR). Those labels come from what was
 * reviewed, so the gate judges on the same selected sample the model learned from — the loop's
 * reports show what that misses. Too few positives to judge keeps the current model.
 */
export function gateCandidate(
  world: LoopWorld, holdout: { rows: number[]; labels: number[]; weights: number[] }, current: LoopModel, candidate: LoopModel,
  opts: { resamples: number; seed: number; minPositives: number },
): { outcome: GateOutcome; comparison: Comparison | null } {
  const positives = holdout.labels.reduce((s, y) => s + y, 0);
  const base = { holdoutLabels: holdout.rows.length, holdoutPositives: positives };
  const none = { ap: null, recall_at_fpr_0_02: null };
  if (positives < opts.minPositives || positives === holdout.rows.length) {
    return { outcome: { verdict: 'insufficient', reasons: [`${positives} positive labels in the holdout week (need ≥ ${opts.minPositives} and some negatives)`], ...base, current: none, candidate: none }, comparison: null };
  }
  const A = asRun(current.id, current, world, holdout.rows, holdout.labels, holdout.weights, opts.resamples, opts.seed);
  const B = asRun(candidate.id, candidate, world, holdout.rows, holdout.labels, holdout.weights, opts.resamples, opts.seed);
  const comparison = compareRuns(A, B, { slices: false });
  const pick = (r: RunData) => {
    const t = r.metrics.test as { ap: { value: number }; recall_at_fpr: Record<string, { value: number }> };
    const f = (x: number) => (Number.isFinite(x) ? x : null);
    return { ap: f(t.ap.value), recall_at_fpr_0_02: f(t.recall_at_fpr['0.02'].value) };
  };
  return { outcome: { verdict: comparison.verdict, reasons: comparison.reasons, ...base, current: pick(A), candidate: pick(B) }, comparison };
}
