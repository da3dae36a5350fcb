import type { Command } from '../command.js';
import { evaluateCommand } from './evaluate.js';
import { runsCommand } from './runs.js';
import { compareCommand } from './compare.js';
import { promoteCommand } from './promote.js';
import { monitorCommand } from './monitor.js';
import { reportCommand } from './report.js';
import { extractCommand } from './extract.js';
import { serveCommand } from './serve.js';
import { scoreCommand } from './score.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
  evaluateCommand,
  runsCommand,
  compareCommand,
  promoteCommand,
  monitorCommand,
  reportCommand,
  extractCommand,
import { splitCommand } from './split.js';

  splitCommand,
  serveCommand,
  scoreCommand,
import { simulateCommand } from './simulate.js';

  simulateCommand,
];
