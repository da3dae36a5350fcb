import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPartialRunDir, listPartialRuns, writeRunFolder } from '../../src/runs/runFolder.js';
import { runCli } from '../helpers/runCli.js';
import { makeRunFolder } from '../helpers/servingFixture.js';

/**
 * A `.partial` folder (a run killed after its export, or still being written) can hold a complete,
 * hash-consistent serving bundle; `vigil serve` and `vigil score` still refuse it, with the same rule
 * `vigil runs` uses to hide it.
 */
test('isPartialRunDir: the temporary name of writeRunFolder, also through a symlink and a trailing slash', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'vigil-partial-'));
  try {
    let seen = '';
    await writeRunFolder(runs, 'r1', (tmp) => {
      seen = tmp;
      assert.equal(isPartialRunDir(tmp), true, 'the folder being written');
      assert.deepEqual(listPartialRuns(runs), [tmp]);
    });
    assert.equal(isPartialRunDir(join(runs, 'r1')), false, 'the folder renamed into place');
    assert.match(seen, /\.r1\.partial-/);
    const p = join(runs, '.r2.partial-1-2');
    mkdirSync(p);
    assert.equal(isPartialRunDir(p + '/'), true);
    symlinkSync(p, join(runs, 'current'));
    assert.equal(isPartialRunDir(join(runs, 'current')), true, 'a link to a partial folder');
    assert.equal(isPartialRunDir(join(runs, 'r1.partial-notes')), false, 'only hidden .<id>.partial-* names');
  } finally { rmSync(runs, { recursive: true, force: true }); }
});

test('vigil serve and vigil score refuse a partial run folder with a clear error; the same folder renamed is accepted', async () => {
  const run = makeRunFolder({ seed: 4 });
  const runs = mkdtempSync(join(tmpdir(), 'vigil-partial-'));
  const partial = join(runs, `.20260101-000000-default-abcd1234.partial-999999-1`);
  renameSync(run.dir, partial);
  try {
    const missing = join(runs, 'in.jsonl');
    for (const argv of [['score', '--run', partial, missing], ['serve', '--run', partial, '--port', '0', '--host', '127.0.0.1']]) {
      const r = await runCli(argv);
      assert.equal(r.code, 2, argv[0]);
      assert.match(r.err, new RegExp(`vigil ${argv[0]}: '.*partial-999999-1' is the partial folder of an incomplete run`), argv[0]);
      assert.match(r.err, /vigil runs/);
    }
    // Renamed into place, the same files pass the check (score then fails on the missing input, later).
    const complete = join(runs, '20260101-000000-default-abcd1234');
    renameSync(partial, complete);
    const ok = await runCli(['score', '--run', complete, missing]);
    assert.doesNotMatch(ok.err, /partial folder/);
    assert.match(ok.err, /input file '.*in\.jsonl' does not exist/);
  } finally { rmSync(runs, { recursive: true, force: true }); }
});
