import type { Command } from '../command.js';
import { listRuns, type RunSummary } from '../../runs/runFolder.js';
import type { ValueCI } from '../../runs/metricsFile.js';
import { currentPromoted } from '../../runs/promote.js';

const pct = (v: ValueCI | null) => (v ? `${(v.value * 100).toFixed(1)}${v.ci ? ` [${(v.ci[0] * 100).toFixed(1)}, ${(v.ci[1] * 100).toFixed(1)}]` : ''}` : '—');

export function formatRunList(runs: RunSummary[], promoted: string | null): string {
  if (runs.length === 0) return 'no complete runs';
  const header = ['', 'run', 'config', 'AP %', 'recall@2%FPR %', 'top-1% precision %', 'feasible'];
  const body = runs.map((r) => [
    r.id === promoted ? '*' : '', r.id, r.configName ?? '—', pct(r.ap), pct(r.recallAt2Fpr), pct(r.top1Precision),
    r.feasible === null ? '—' : r.feasible ? 'yes' : 'no',
  ]);
  const w = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  const out = [line(header), ...body.map(line)];
  if (promoted) out.push('', `* promoted: ${promoted}`);
  out.push('', 'values are % with 95% bootstrap intervals');
  return out.join('\n');
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List complete experiment runs with their headline metrics',
  usage: [
    'Usage: vigil runs [--dir DIR] [--json]',
    '',
    '  --dir DIR   runs folder (default experiments/runs)',
    '  --json      print the list as JSON',
    '',
    'Half-written runs (interrupted before the folder was renamed into place) are never listed.',
  ].join('\n'),
  options: { dir: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const dir = (values.dir as string | undefined) ?? 'experiments/runs';
    const runs = listRuns(dir, (d, why) => console.error(`skipping ${d}: ${why}`));
    if (values.json) console.log(JSON.stringify({ promoted: currentPromoted(dir), runs }, null, 2));
    else console.log(formatRunList(runs, currentPromoted(dir)));
    return 0;
  },
};
