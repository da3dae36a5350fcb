import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../../src/cli/commands/index.js';
import { runCli as captured } from '../helpers/runCli.js';

test('every listed command loads a command of that name, and its --help prints the summary and usage', async () => {
  assert.equal(new Set(commands.map((c) => c.name)).size, commands.length, 'unique names');
  for (const entry of commands) {
    const cmd = await entry.load();
    assert.equal(cmd.name, entry.name);
    const r = await captured([entry.name, '--help']);
    assert.equal(r.code, 0, entry.name);
    assert.ok(r.out.startsWith(`vigil ${entry.name} — ${entry.summary}`), r.out);
    assert.match(r.out, /Usage: vigil /);
  }
});

test('top-level help lists every command; an unknown command or flag exits 2 naming it', async () => {
  const help = await captured(['--help']);
  assert.equal(help.code, 0);
  for (const c of commands) assert.match(help.out, new RegExp(`^  ${c.name} `, 'm'));
  const unknown = await captured(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command 'frobnicate'/);
  const badFlag = await captured(['runs', '--colour']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.err, /--colour/);
});
