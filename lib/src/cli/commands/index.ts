import type { Command } from '../command.js';
import { splitCommand } from './split.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
  splitCommand,
];
