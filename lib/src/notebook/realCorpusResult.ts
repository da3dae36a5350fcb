import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealCorpusResult } from '../bench/realCorpus.js';
import { fmtMetric } from '../bench/markdown.js';
import { deltaSentence } from '../bench/realCorpusReport.js';

/**
 * The newest benchmark result that holds a real-corpus section (`vigil bench --only real`) under
 * `bench/results`, as display rows, or null when no result file has one.
 */
export function latestRealCorpusRows(root: string): { file: string; result: Extract<RealCorpusResult, { status: 'ok' }>; rows: Record<string, string>[] } | null {
  const dir = join(root, 'bench', 'results');
  if (!existsSync(dir)) return null;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort().reverse()) {
    const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { real?: RealCorpusResult };
    if (raw.real?.status !== 'ok') continue;
    const result = raw.real;
    const rows = result.rowsTable.map((r) => ({
      model: r.model, AP: fmtMetric(r.ap), 'ROC AUC': fmtMetric(r.rocAuc), 'recall@2%FPR': fmtMetric(r.recallAt2Fpr),
      'Vigil AP − this AP (paired 95%)': r.kind === 'vigil' ? '—' : deltaSentence(r.apDelta),
    }));
    return { file: join('bench', 'results', f), result, rows };
  }
  return null;
}
