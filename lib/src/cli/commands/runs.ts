import type { Command } from '../command.js';
import { rmSync } from 'node:fs';
import { listPartialRuns, listRuns, partialRunAlive, type RunSummary } from '../../runs/runFolder.js';
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
  usage: [
    'Usage: vigil runs [--dir DIR] [--json] [--clean]',
    '',
    '  --dir DIR   runs folder (default experiments/runs)',
    '  --json      print the list as JSON',
    '  --clean     delete the hidden partial folders of interrupted runs (not of runs still in progress)',
    '',
    'Half-written runs (interrupted before the folder was renamed into place) are never listed.',
  ].join('\n'),
  options: { dir: { type: 'string' }, json: { type: 'boolean' }, clean: { type: 'boolean' } },
  async run(values) {
    const dir = (values.dir as string | undefined) ?? 'experiments/runs';
    const runs = listRuns(dir, (d, why) => console.error(`skipping ${d}: ${why}`));
    if (values.json) console.log(JSON.stringify({ promoted: currentPromoted(dir), runs }, null, 2));
    else console.log(formatRunList(runs, currentPromoted(dir)));
    const partial = listPartialRuns(dir);
    if (values.clean) {
      // A folder whose writer is still alive is a run in progress, not an interrupted one.
      const dead = partial.filter((p) => !partialRunAlive(p));
      for (const p of dead) rmSync(p, { recursive: true, force: true });
      if (dead.length) console.error(`removed ${dead.length} partial folder(s) of interrupted runs`);
    } else if (partial.length) {
      console.error(`${partial.length} interrupted run(s) left partial folders (never listed; 'vigil runs --clean' removes them)`);
    }
    return 0;
  },
};
