import type { MetricValue } from '../eval/evaluate.js';
import { fmtCount, fmtMetric, fmtSeconds, fmtSigned, markdownTable } from './markdown.js';
import type { RealCorpusResult, RealCorpusRow } from './realCorpus.js';

export type { RealCorpusResult } from './realCorpus.js';


/** "+0.012 [−0.020, +0.041] — …" for Vigil's AP minus a peer's, with the plain verdict. */
export function deltaSentence(d: MetricValue | null): string {
  if (!d || d.value === null) return 'n/a';
  if (!d.ci) return `${fmtSigned(d.value)} (no paired interval)`;
  const verdict = d.ci[0] > 0 ? 'Vigil ahead' : d.ci[1] < 0 ? 'Vigil behind' : 'not separated';
  return `${fmtSigned(d.value)} [${fmtSigned(d.ci[0])}, ${fmtSigned(d.ci[1])}] — ${verdict}`;
}

function row(r: RealCorpusRow): string[] {
  if (r.status !== 'ok') return [r.model, '—', '—', '—', '—', '—', '—', `${r.status}: ${r.reason ?? ''}`];
  return [r.model, fmtMetric(r.ap), fmtMetric(r.rocAuc), fmtMetric(r.recallAt2Fpr), fmtMetric(r.precisionTop1),
    r.kind === 'vigil' ? '—' : deltaSentence(r.apDelta), fmtSeconds(r.trainSeconds), r.note ?? ''];
}

export function realCorpusMarkdown(r: RealCorpusResult): string[] {
  const lines = ['## A real corpus with Vigil\'s defaults (`real`)', ''];
  if (r.status === 'skipped') return [...lines, `Skipped: ${r.reason}.`, ''];
  const vigil = r.rowsTable.find((x) => x.kind === 'vigil');
  lines.push(
    `\`${r.corpus}\` — ${r.reference}. Imported with \`vigil import\` and run with \`vigil run\` and no flags; ` +
    `${fmtCount(r.rows.total)} rows, ${fmtCount(r.rows.positives)} harmful; ${r.splitMethod}: train ${fmtCount(r.rows.train)}, ` +
    `calibration ${fmtCount(r.rows.calib)}, test ${fmtCount(r.rows.test)} (${r.rows.testPositives} harmful). ` +
    `The peers train on the same train rows, pick their setting on the same calibration rows and score the same test rows. ` +
    `95% intervals from ${r.bootstrap.resamples} bootstrap resamples over rows; the AP difference is paired (the same resamples for both models).`, '',
    markdownTable(['model', 'AP', 'ROC AUC', 'recall@2%FPR', 'precision in top 1%', 'Vigil AP − this AP (paired 95%)', 'train time', 'note'], r.rowsTable.map(row)), '',
    `- Exported model: \`${r.selection.exported}\` — ${r.selection.reason}`,
    `- Training recipe: ${r.recipe.entries.map((e) => `${e.field} ${String(e.value)} (${e.source})`).join(', ')}.`,
    `- Vigil's whole \`vigil run\` (every side-by-side model, leakage demo, export, report): ${fmtSeconds(r.runSeconds)}.`,
  );
  if (r.noiseAp.withHandling !== null && r.noiseAp.without !== null) {
    lines.push(`- Label-noise handling: fused-model test AP ${r.noiseAp.withHandling.toFixed(3)} with confident learning, ${r.noiseAp.without.toFixed(3)} without (point estimates of the run's side-by-side models).`);
  }
  if (r.noise) {
    const n = r.noise;
    const share = n.flagged > 0 ? n.flaggedContested / n.flagged : 0;
    lines.push(`- Label noise against the annotators: confident learning flagged ${fmtCount(n.flagged)} of ${fmtCount(n.trainRows)} training rows; ` +
      `${(100 * share).toFixed(0)}% of them are rows where at least one annotator voted against the label (base rate in the same classes ${(100 * n.baseContestedShare).toFixed(0)}%), ` +
      `${fmtCount(n.flaggedMinorityClose)} are one vote from the other label.`);
  }
  const lr = r.rowsTable.find((x) => x.kind === 'peer' && x.model.includes('logistic'));
  if (vigil && lr?.apDelta?.ci && lr.apDelta.ci[1] < 0) {
    lines.push(`- **Where Vigil loses:** on this corpus the TF-IDF + logistic regression peer is ahead on AP (${deltaSentence(lr.apDelta)}).`);
  }
  lines.push('');
  return lines;
}
