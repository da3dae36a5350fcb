import type { Command } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { readRun, resolveRunDir } from '../../runs/runFolder.js';
import { compareRuns, formatComparison } from '../../runs/compare.js';
import { gateOf } from '../../runs/promote.js';
import { gateConfigSchema } from '../../runs/config.js';
import { readFileSync } from 'node:fs';

export const compareCommand: Command = {
  name: 'compare',
  usage: [
    'Usage: vigil compare RUN_A RUN_B [--dir DIR] [--gate GATE.json] [--json]',
    '',
    '  RUN_A       baseline run (folder path or run id under --dir)',
    '  RUN_B       candidate run',
    '  --dir DIR   runs folder for run ids (default experiments/runs)',
    '  --gate F    gate config JSON (default: the candidate config\'s `gate` section, else defaults:',
    '              no significant drop of AP or recall@2%FPR overall or on any slice with >= 20 positives)',
    '  --json      print the comparison as JSON',
    '',
    'Exit status: 0 when B passes the gate, 1 when it fails, 2 on bad input.',
  ].join('\n'),
  options: { dir: { type: 'string' }, gate: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    if (positionals.length !== 2) throw new VigilError(`vigil compare: expected two runs (RUN_A RUN_B), got ${positionals.length}`, { field: 'runs' });
    const dir = (values.dir as string | undefined) ?? 'experiments/runs';
    const a = readRun(resolveRunDir(positionals[0], dir));
    const b = readRun(resolveRunDir(positionals[1], dir));
    let gate = gateOf(b);
    if (typeof values.gate === 'string') {
      let raw: unknown;
      try { raw = JSON.parse(readFileSync(values.gate, 'utf8')); } catch (e) {
        throw new VigilError(`--gate '${values.gate}': ${(e as Error).message}`, { field: 'gate' });
      }
      const r = gateConfigSchema.safeParse(raw);
      if (!r.success) throw new VigilError(`--gate '${values.gate}': ${r.error.issues.map((i) => `'${i.path.join('.')}' ${i.message}`).join('; ')}`, { field: 'gate' });
      gate = r.data;
    }
    const c = compareRuns(a, b, gate);
    console.log(values.json ? JSON.stringify(c, null, 2) : formatComparison(c));
    return c.verdict === 'promote' ? 0 : 1;
  },
};
