#!/usr/bin/env node
import { commands } from './commands/index.js';
import { parseCommandArgs } from './command.js';
import { isVigilError } from '../util/errors.js';

function topHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    'vigil — multimodal harmful-video risk scoring workbench',
    '',
    'Usage: vigil <command> [options]     (vigil <command> --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(topHelp());
    return name ? 0 : 1;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`vigil: unknown command '${name}'\n\n${topHelp()}`);
    return 2;
  }
  const cmd = await entry.load();
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      console.log(`vigil ${cmd.name} — ${entry.summary}\n\n${cmd.usage}`);
      return 0;
    }
    return await cmd.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
  } catch (e) {
    if (isVigilError(e)) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { console.error(e); process.exitCode = 1; },
  );
}
