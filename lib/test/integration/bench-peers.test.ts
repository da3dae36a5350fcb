import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersDir, runPeer, PEER_SKIP_EXIT } from '../../src/bench/peers.js';
import { averagePrecision } from '../../src/stats/quickMetrics.js';
import { createRng } from '../../src/util/rng.js';
import { DEBIAN_PYTHON } from '../helpers.js';

const hasModule = (m: string) => existsSync(DEBIAN_PYTHON) && spawnSync(DEBIAN_PYTHON, ['-c', `import ${m}`]).status === 0;

/**
 * A hand-written export (independent of exportPooledFeatures): 2 features, the label decided by
 * x0 + x1 > 0 with a little noise, so any working peer ranks the test rows almost perfectly.
 */
function writeToyExport(dir: string, rowsPer: Record<string, number>, seed = 3): Record<string, number[]> {
  const rng = createRng(seed);
  const d = 2;
  const parts: Record<string, unknown> = {};
  const labels: Record<string, number[]> = {};
  for (const [name, n] of Object.entries(rowsPer)) {
    const buf = Buffer.alloc(n * d * 4);
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = rng.normal(), b = rng.normal();
      buf.writeFloatLE(a, i * 8); buf.writeFloatLE(b, i * 8 + 4);
      y.push(a + b + 0.1 * rng.normal() > 1 ? 1 : 0);
    }
    writeFileSync(join(dir, `${name}.f32`), buf);
    labels[name] = y;
    parts[name] = { file: `${name}.f32`, rows: n, labels: y, weights: y.map(() => 1), group_ids: y.map((_, i) => i), video_ids: y.map((_, i) => `${name}${i}`) };
  }
  writeFileSync(join(dir, 'header.json'), JSON.stringify({ format: 'vigil-pooled-f32', version: 1, dtype: 'float32', byte_order: 'little', d, columns: ['a', 'b'], parts }));
  return labels;
}

test('peer runner: a missing interpreter is a skip that says what to install', async () => {
  const r = await runPeer('xgb', join(peersDir(), 'xgb.py'), '/nonexistent', '/nonexistent', { python: '/nonexistent/python3' });
  assert.equal(r.status, 'skipped');
  assert.match((r as { reason: string }).reason, /Python not found at \/nonexistent\/python3.*apt-get install -y python3/);
});

test('peer runner: a missing package is a skip naming the Debian package (xgboost and sklearn shadowed)', async (tc) => {
  if (!existsSync(DEBIAN_PYTHON)) { tc.skip('no /usr/bin/python3'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-peer-'));
  try {
    // Packages that fail to import, found first on PYTHONPATH: the scripts must see "not installed".
    for (const pkg of ['xgboost', 'sklearn']) {
      mkdirSync(join(dir, 'shadow', pkg), { recursive: true });
      writeFileSync(join(dir, 'shadow', pkg, '__init__.py'), `raise ImportError("No module named '${pkg}'")\n`);
    }
    const env = { PYTHONPATH: join(dir, 'shadow') };
    const [x, s] = await Promise.all([
      runPeer('xgb', join(peersDir(), 'xgb.py'), dir, join(dir, 'out'), { env }),
      runPeer('lr', join(peersDir(), 'sklearn_lr.py'), dir, join(dir, 'out'), { env }),
    ]);
    assert.equal(x.status, 'skipped', JSON.stringify(x));
    assert.match((x as { reason: string }).reason, /python package 'xgboost' is not available.*apt-get install -y python3-xgboost/);
    assert.equal(s.status, 'skipped');
    assert.match((s as { reason: string }).reason, /apt-get install -y python3-sklearn/);
    assert.equal(PEER_SKIP_EXIT, 3);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('peer runner: a crashing script is a failure with its stderr, not a skip', async (tc) => {
  if (!existsSync(DEBIAN_PYTHON)) { tc.skip('no /usr/bin/python3'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-peer-'));
  try {
    writeFileSync(join(dir, 'boom.py'), 'import sys\nprint("bad matrix shape 7", file=sys.stderr)\nsys.exit(1)\n');
    const r = await runPeer('boom', join(dir, 'boom.py'), dir, join(dir, 'out'));
    assert.equal(r.status, 'failed');
    assert.match((r as { reason: string }).reason, /exit 1: bad matrix shape 7/);
    writeFileSync(join(dir, 'quiet.py'), 'pass\n');
    const q = await runPeer('quiet', join(dir, 'quiet.py'), dir, join(dir, 'out2'));
    assert.equal(q.status, 'failed');
    assert.match((q as { reason: string }).reason, /unreadable output/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('peers xgb.py and sklearn_lr.py: train on train, score every test row in order, rank a separable toy set', async (tc) => {
  const peers = ([['sklearn_lr.py', 'sklearn'], ['xgb.py', 'xgboost']] as const).filter(([, mod]) => hasModule(mod));
  if (peers.length === 0) { tc.skip('neither xgboost nor sklearn under /usr/bin/python3 (apt-get install -y python3-xgboost python3-sklearn)'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-peer-'));
  try {
    const labels = writeToyExport(dir, { train: 600, calib: 200, test: 300 });
    // Both at once: most of their wall time is Python importing its packages.
    const results = await Promise.all(peers.map(([script, mod]) => runPeer(mod, join(peersDir(), script), dir, join(dir, `out-${mod}`))));
    for (const r of results) {
      assert.equal(r.status, 'ok', JSON.stringify(r));
      if (r.status !== 'ok') continue;
      assert.equal(r.scores.length, 300);
      assert.ok(r.trainSeconds > 0 && r.trainSeconds <= r.wallSeconds);
      assert.equal(r.info.train_rows, 600);
      const ap = averagePrecision(r.scores, labels.test, labels.test.map(() => 1));
      assert.ok(ap > 0.9, `${r.name}: AP ${ap}`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('xgb.py arguments: eta 0.05, up to 2,000 rounds and early stopping by default; --rounds/--eta/--early-stop honoured; bad values refused', async (tc) => {
  if (!hasModule('xgboost')) { tc.skip('xgboost not found under /usr/bin/python3 (apt-get install -y python3-xgboost)'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-xgbargs-'));
  try {
    writeToyExport(dir, { train: 400, calib: 150, test: 100 });
    const script = join(peersDir(), 'xgb.py');
    const [dflt, capped, bad] = await Promise.all([
      runPeer('xgb', script, dir, join(dir, 'out-default')),
      runPeer('xgb', script, dir, join(dir, 'out-capped'), { args: ['--rounds', '7', '--eta', '0.3', '--early-stop', '3'] }),
      runPeer('xgb', script, dir, join(dir, 'out-bad'), { args: ['--eta', '0'] }),
    ]);
    assert.equal(dflt.status, 'ok', JSON.stringify(dflt));
    if (dflt.status === 'ok') {
      assert.equal((dflt.info.params as Record<string, unknown>).eta, 0.05);
      assert.equal(dflt.info.max_rounds, 2000);
      assert.equal(dflt.info.early_stopping_rounds, 100);
      // early stopping ended it: the toy set saturates long before 2,000 rounds
      const ran = dflt.info.rounds_run as number, best = dflt.info.best_iteration as number;
      assert.ok(ran < 2000 && ran <= best + 100, `ran ${ran}, best ${best}`);
    }
    assert.equal(capped.status, 'ok', JSON.stringify(capped));
    if (capped.status === 'ok') {
      assert.equal((capped.info.params as Record<string, unknown>).eta, 0.3);
      assert.equal(capped.info.max_rounds, 7);
      assert.ok((capped.info.rounds_run as number) <= 7, `ran ${String(capped.info.rounds_run)} rounds`);
    }
    assert.equal(bad.status, 'failed');
    if (bad.status === 'failed') assert.match(bad.reason, /--eta: expected a number in \(0, 1\]/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
