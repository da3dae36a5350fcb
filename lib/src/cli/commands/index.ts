import type { Command } from '../command.js';
import { startCommand } from './start.js';
import { simulateCommand } from './simulate.js';
import { runCommand } from './run.js';
import { splitCommand } from './split.js';
import { evaluateCommand } from './evaluate.js';
import { runsCommand } from './runs.js';
import { compareCommand } from './compare.js';
import { promoteCommand } from './promote.js';
import { reportCommand } from './report.js';
import { serveCommand } from './serve.js';
import { scoreCommand } from './score.js';
import { monitorCommand } from './monitor.js';
import { extractCommand } from './extract.js';
import { benchCommand } from './bench.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
  startCommand,
  simulateCommand,
  splitCommand,
  runCommand,
  evaluateCommand,
  runsCommand,
  compareCommand,
  promoteCommand,
  reportCommand,
  serveCommand,
  scoreCommand,
  monitorCommand,
  extractCommand,
  benchCommand,
];
