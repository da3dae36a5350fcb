import type { Command } from '../command.js';
import { evaluateCommand } from './evaluate.js';
import { extractCommand } from './extract.js';
import { serveCommand } from './serve.js';
import { scoreCommand } from './score.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
  evaluateCommand,
  extractCommand,
import { splitCommand } from './split.js';

  splitCommand,
  serveCommand,
  scoreCommand,
];
