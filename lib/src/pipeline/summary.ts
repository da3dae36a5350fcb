/** The few lines `vigil run` / `npm start` print at the end: where things are and the verdicts. */
import type { RunOutcome } from './run.js';
import { formatRecipe } from '../model/recipe.js';
import { getMetric, type ValueCI } from '../runs/metricsFile.js';

const pct = (v: ValueCI | undefined) => (v ? `${(v.value * 100).toFixed(1)}%${v.ci ? ` [${(v.ci[0] * 100).toFixed(1)}, ${(v.ci[1] * 100).toFixed(1)}]` : ''}` : 'n/a');

export function formatOutcome(o: RunOutcome, reportsIndex?: string): string {
  const t = o.metrics.test;
  const verdict = (k: string) => {
    const m = t.meets?.[k];
    return m ? (m.met ? 'MET (CI lower bound clears the target)' : 'NOT MET (CI lower bound below the target)') : '';
  };
  const p = o.policy;
  return [
    '',
    `run:     ${o.runDir}`,
    `report:  ${o.reportPath}`,
    ...(reportsIndex ? [`index:   ${reportsIndex}`] : []),
    '',
    `test weeks: ${t.n} videos, ${t.positives} harmful (observed labels), 95% group-bootstrap CIs`,
    `  AP                        ${pct(getMetric(t, 'ap'))}`,
    `  recall @ 2% FPR           ${pct(getMetric(t, 'recall_at_fpr.0.02'))}  ${verdict('recall_at_fpr@0.02')}`,
    `  precision in top 1%       ${pct(getMetric(t, 'precision_at_top.0.01'))}  ${verdict('precision_at_top@0.01')}`,
    ...formatRecipe(o.recipe),
    `model selection (calibration weeks): ${o.selection.towers.map((t) => `${t.tower} ${t.calibAp === undefined ? 'not judged' : `AP ${t.calibAp.toFixed(4)}${t.aboveChance ? '' : ' (not above chance)'}`}`).join(', ')}; ` +
      `fused (${o.selection.fused.towers.join('+')}) AP ${o.selection.fused.calibAp.toFixed(4)}`,
    `  exported: ${o.selection.exported} — ${o.selection.reason}`,
    `policy (chosen on the calibration weeks): BLOCK ≥ ${p.block_threshold.toPrecision(3)}, QUEUE ≥ ${p.queue_threshold.toPrecision(3)}, ${p.feasible ? 'all constraints feasible' : 'constraints conflict — see the report'}`,
    ...p.binding.slice(0, 3).map((b) => `  • ${b.statement}`),
  ].join('\n');
}
