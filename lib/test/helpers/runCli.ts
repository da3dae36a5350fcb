import { main } from '../../src/cli/main.js';

/** `vigil ARGV...` in process, with what it prints to stdout and stderr captured instead of shown. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = console.log, error = console.error;
  let out = '', err = '';
  console.log = (...x: unknown[]) => { out += x.join(' ') + '\n'; };
  console.error = (...x: unknown[]) => { err += x.join(' ') + '\n'; };
  try { return { code: await main(argv), out, err }; } finally { console.log = log; console.error = error; }
}
