import type { Command } from '../command.js';
import { extractCommand } from './extract.js';
import { serveCommand } from './serve.js';
import { scoreCommand } from './score.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
  extractCommand,
  serveCommand,
  scoreCommand,
];
