import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VigilError } from '../util/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** One `vigil <name>` subcommand. */
export interface Command {
  name: string;
  /** Usage line(s) and option descriptions shown by `--help`. */
  usage: string;
  options: Options;
  /** Returns the process exit code. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

/** Parse argv for a command, turning parser errors into VigilErrors that name the flag. */
export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new VigilError(`vigil ${cmd.name}: ${(e as Error).message}\n\n${cmd.usage}`);
  }
}

/** Read a required string option or fail naming it. */
export function requireString(values: Record<string, unknown>, name: string, cmd: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new VigilError(`vigil ${cmd}: --${name} is required`, { field: name });
  return v;
}

/** Parse an integer option or fail naming it. */
export function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n)) throw new VigilError(`--${name}: expected an integer, got '${String(v)}'`, { field: name });
  return n;
}
