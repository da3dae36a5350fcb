import type { Command } from '../command.js';

/** Every `vigil` subcommand, in the order `vigil --help` lists them. */
export const commands: Command[] = [
];
