// Runs the whole suite with node's test runner: every compiled lib/dist/test/**/*.test.js.
// `npm test -- <substring>` runs only the files whose name contains it.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'lib/dist/test';
const filter = process.argv[2];
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d).sort()) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.js') && (!filter || p.includes(filter))) files.push(p);
  }
};
walk(root);
if (files.length === 0) {
  console.error(`no test files under ${root}${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
