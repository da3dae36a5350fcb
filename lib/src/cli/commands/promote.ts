import type { Command } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { promoteRun, rollbackPromotion } from '../../runs/promote.js';
import { formatComparison } from '../../runs/compare.js';
import { basename } from 'node:path';

export const promoteCommand: Command = {
  name: 'promote',
  usage: [
    'Usage: vigil promote RUN [--dir DIR] [--force]',
    '       vigil promote --rollback [--dir DIR]',
    '',
    '  RUN          run id under --dir (or its folder)',
    '  --dir DIR    runs folder (default experiments/runs); the pointer is DIR/PROMOTED',
    '  --force      promote even when the gate rejects the run against the current promoted one',
    '  --rollback   make the previously promoted run current again',
    '',
    'Exit status: 0 promoted / rolled back, 1 refused by the gate, 2 on bad input.',
  ].join('\n'),
  options: { dir: { type: 'string' }, force: { type: 'boolean' }, rollback: { type: 'boolean' } },
  async run(values, positionals) {
    const dir = (values.dir as string | undefined) ?? 'experiments/runs';
    if (values.rollback) {
      if (positionals.length) throw new VigilError('vigil promote --rollback takes no RUN', { field: 'rollback' });
      const r = rollbackPromotion(dir);
      console.log(`rolled back: ${r.from} → ${r.to}`);
      return 0;
    }
    if (positionals.length !== 1) throw new VigilError('vigil promote: expected one RUN', { field: 'run' });
    const id = basename(positionals[0].replace(/\/+$/, ''));
    const r = promoteRun(dir, id, { force: Boolean(values.force) });
    if (r.comparison) console.log(formatComparison(r.comparison) + '\n');
    if (!r.promoted && r.previous === id) { console.log(`${id} is already promoted`); return 0; }
    if (!r.promoted) { console.log(`refused: ${id} fails the gate against ${r.previous} (use --force to override)`); return 1; }
    console.log(`promoted: ${id}${r.previous ? ` (previous: ${r.previous}, kept for rollback)` : ''}${r.comparison?.verdict === 'reject' ? ' [forced]' : ''}`);
    return 0;
  },
};
