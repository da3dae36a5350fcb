import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { loadConfig } from '../../config.js';
import { runExperiment } from '../../pipeline/run.js';
import { formatOutcome } from '../../pipeline/summary.js';
import { reportsDirFor, writeReportsIndex } from '../../report/index.js';

const DEFAULT_CONFIG = 'experiments/default.json';

export const startCommand: Command = {
  name: 'start',
  usage: [
    'Usage: vigil start [--set key.path=value ...]',
    '',
    `Runs ${DEFAULT_CONFIG} (datasets/default, simulated on first use) end to end and prints where the`,
    'run folder and report are. Same as `vigil run experiments/default.json`.',
  ].join('\n'),
  options: { set: { type: 'string', multiple: true } },
  async run(values) {
    const t0 = Date.now();
    const cfg = loadConfig(existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined, (values.set as string[] | undefined) ?? []);
    const outcome = await runExperiment(cfg);
    const idx = writeReportsIndex(cfg.runsDir, reportsDirFor(cfg.runsDir));
    console.log(formatOutcome(outcome, idx.html));
    console.log(`\nfinished in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  },
};
