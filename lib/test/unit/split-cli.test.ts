import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { writeVideoTable, writeTruthTable } from '../../src/data/parquet.js';
import { main } from '../../src/cli/main.js';
import { readSplitParquet, alignSplit, loadSplitFor, writeSplitParquet } from '../../src/split/io.js';
import { splitFingerprint } from '../../src/split/split.js';
import { setQuiet } from '../../src/util/progress.js';

test('vigil split writes split.parquet and a manifest; recall is reported from truth', async () => {
  setQuiet(true);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-split-cli-'));
  const log = console.log, err = console.error;
  const printed: string[] = [];
  console.log = (...a: unknown[]) => { printed.push(a.join(' ')); };
  try {
    const { table, truth } = syntheticTable({ n: 1500, days: 100, creators: 150, reuploadRate: 0.2, prevalence: 0.12, seed: 3 });
    await writeVideoTable(join(dir, 'videos.parquet'), table);
    await writeTruthTable(join(dir, 'truth.parquet'), truth);
    const out = join(dir, 'out', 'split.parquet');
    const code = await main(['split', '--data', dir, '--out', out, '--set', 'split.folds=3']);
    assert.equal(code, 0, printed.join('\n'));
    const a = await readSplitParquet(out);
    assert.equal(a.videoId.length, 1500);
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'split.manifest.json'), 'utf8'));
    assert.equal(manifest.fingerprint, splitFingerprint(a));
    assert.equal(manifest.config.folds, 3);
    assert.ok(manifest.reuploadRecall.recall >= 0.95, JSON.stringify(manifest.reuploadRecall));
    assert.equal(manifest.audit.pass, true);
    assert.match(printed.join('\n'), /PASS/);
    // A stored split re-aligns to the table's row order by video_id.
    const rev = [...table.videoId].reverse();
    assert.deepEqual(alignSplit(a, rev).split, Uint8Array.from(a.split).reverse());
    assert.throws(() => alignSplit(a, ['nope']), /video_id/);
    const loaded = await loadSplitFor(out, { videoId: rev });
    assert.equal(loaded.fingerprint, manifest.fingerprint);
    // An edited split no longer matches its manifest.
    const edited = { ...a, split: a.split.map((s) => (s === 0 ? 2 : s)) };
    writeSplitParquet(out, edited);
    await assert.rejects(loadSplitFor(out, table), /does not match its manifest/);
    // Missing flags are usage errors (exit 2), not crashes.
    console.error = () => {};
    assert.equal(await main(['split', '--out', out]), 2);
    assert.equal(existsSync(out), true);
  } finally {
    console.log = log;
    console.error = err;
    rmSync(dir, { recursive: true, force: true });
  }
});
