import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readVideoTable, readTruthTable } from '../../src/data/parquet.js';
import { setQuiet } from '../../src/util/progress.js';

setQuiet(true);

test('vigil simulate writes a complete dataset folder atomically', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-simcli-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const out = join(root, 'ds');
    const code = await main(['simulate', '--preset', 'tiny', '--seed', '7', '--uploads', '5000', '--out', out]);
    console.log = log;
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(root), ['ds'], 'a temporary folder was left behind');
    assert.deepEqual(readdirSync(out).sort(), ['profile.json', 'truth.parquet', 'videos.parquet']);
    const profile = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
    for (const k of ['prevalence', 'region_prevalence', 'missing_metadata_rate', 'no_audio_rate', 'asr_rate',
      'non_english_asr_rate', 'mean_frames', 'max_frames', 'rater_kappa', 'reupload_rate', 'harmful_reupload_rate',
      'n_rows', 'n_virtual', 'weeks', 'week_prevalence']) assert.ok(k in profile, `profile.json lacks ${k}`);
    assert.equal(profile.preset, 'tiny');
    assert.equal(profile.seed, 7);
    assert.equal(profile.week_prevalence.length, 8);
    const t = await readVideoTable(out);
    const truth = await readTruthTable(join(out, 'truth.parquet'));
    assert.equal(t.n, profile.n_rows);
    assert.equal(truth.n, t.n);
    assert.deepEqual(truth.videoId, t.videoId);
    assert.ok(lines.some((l) => /simulated preset 'tiny' seed 7 in [\d.]+s/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /rater kappa/.test(l)));
  } finally {
    console.log = log;
    rmSync(root, { recursive: true, force: true });
  }
});

test('vigil simulate --shards writes the dataset shard by shard as parts, ids prefixed by shard', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-simcli-shards-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const out = join(root, 'ds');
    const code = await main(['simulate', '--preset', 'tiny', '--seed', '7', '--uploads', '5000', '--shards', '2', '--partition-by', 'week', '--out', out]);
    console.log = log;
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(out).sort(), ['truth.parquet', 'videos.parquet']);
    const t = await readVideoTable(out);
    assert.ok(t.videoId.some((id) => id.startsWith('s1-v')) && t.videoId.some((id) => id.startsWith('v')));
    assert.ok(lines.some((l) => new RegExp(`as 2 shards: ${t.n.toLocaleString('en-US')} stored rows of 5,000 uploads`).test(l)), lines.join('\n'));
  } finally {
    console.log = log;
    rmSync(root, { recursive: true, force: true });
  }
});

test('vigil simulate rejects bad options naming them', async () => {
  const err = console.error;
  const msgs: string[] = [];
  console.error = (...a: unknown[]) => { msgs.push(a.join(' ')); };
  try {
    assert.equal(await main(['simulate', '--preset', 'tiny']), 2);
    assert.match(msgs.pop()!, /--out is required/);
    assert.equal(await main(['simulate', '--preset', 'huge', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--preset: expected one of tiny, default, bench/);
    assert.equal(await main(['simulate', '--seed', 'abc', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--seed: expected an integer/);
    assert.equal(await main(['simulate', '--uploads', '10', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--uploads: expected 1000\.\.4000000/);
    assert.equal(await main(['simulate', '--uploads', '9000000', '--shards', '2', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--uploads: expected 1000\.\.8000000 with 2 shard\(s\), got 9000000/);
    assert.equal(await main(['simulate', '--shards', '0', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--shards: expected a positive integer/);
    assert.equal(await main(['simulate', '--preset', 'tiny', '--shards', '2', '--check', '--out', '/tmp/x']), 2);
    assert.match(msgs.pop()!, /--check: .*not available with --shards/);
    assert.ok(!existsSync('/tmp/x'));
  } finally {
    console.error = err;
  }
});
