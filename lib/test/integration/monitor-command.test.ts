import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeVideoTable } from '../../src/data/parquet.js';
import { writeJsonAtomic } from '../../src/util/atomic.js';
import { buildReference, REFERENCE_FILE } from '../../src/monitor/drift.js';
import { syntheticWeeks } from '../fixtures/drift.js';
import { block, tmpDir, writeFakeRun } from '../fixtures/runs.js';
import { makeRunFolder } from '../helpers/servingFixture.js';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { parseConfig } from '../../src/config.js';
import { scoreWithOnnx } from '../../src/serve/scoreRows.js';

import { runCli as quietMain } from '../helpers/runCli.js';

test('vigil monitor reads the run reference and a dataset, writes JSON and HTML, and can fail on alert', async () => {
  const t = syntheticWeeks([{ n: 600 }, { n: 600 }, { n: 600 }, { n: 600, shifted: true }]);
  const root = tmpDir('monitor');
  const runs = join(root, 'runs');
  const train = Array.from({ length: 1200 }, (_, i) => i); // the first two weeks
  const runDir = await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03) });
  writeJsonAtomic(join(runDir, REFERENCE_FILE), buildReference(t, train));
  const data = join(root, 'data');
  await writeVideoTable(join(data, 'videos.parquet'), t);
  const out = join(root, 'drift.json');
  const html = join(root, 'drift.html');
  const r = await quietMain(['monitor', '--run', runDir, '--data', data, '--out', out, '--html', html, '--fail-on', 'alert']);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /overall: ALERT/);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(j.weeks.length, 4);
  assert.deepEqual(j.weeks.map((w: { level: string }) => w.level), ['ok', 'ok', 'ok', 'alert']);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /data-chart="psi"/);
  assert.ok(!page.includes('Not run'), 'a drift-only report leaves the other sections out');
  const noFail = await quietMain(['monitor', '--run', runDir, '--data', data]);
  assert.equal(noFail.code, 0);
  const bad = await quietMain(['monitor', '--run', runDir, '--data', data, '--fail-on', 'maybe']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--fail-on/);
  const noRef = await writeFakeRun(runs, { id: 'r2', createdAt: '2026-11-01T00:00:00Z', test: block(0.4, 0.8, 0.03) });
  const missing = await quietMain(['monitor', '--run', noRef, '--data', data]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /reference\.json/);
});

test('vigil monitor scores the data with the run\'s own model when no --scores file is given', async () => {
  const t = syntheticWeeks([{ n: 300 }, { n: 300 }, { n: 300, shifted: true }]);
  const root = tmpDir('monitor-score');
  const train = Array.from({ length: 600 }, (_, i) => i);
  const fitted = fitPreprocessor(t, train, parseConfig({}).features);
  const run = makeRunFolder({ seed: 9, fitted });
  const all = (await scoreWithOnnx(run.dir, t, Array.from({ length: t.n }, (_, i) => i))).risk;
  assert.ok(all.every((s) => s > 0 && s < 1));
  writeJsonAtomic(join(run.dir, REFERENCE_FILE), buildReference(t, train, all));
  const data = join(root, 'data');
  await writeVideoTable(join(data, 'videos.parquet'), t);
  const scoresFile = join(root, 'scores.jsonl');
  writeFileSync(scoresFile, Array.from(all, (s, i) => JSON.stringify({ video_id: t.videoId[i], risk_score: s })).join('\n') + '\n');

  const run1 = async (extra: string[]) => {
    const out = join(root, `drift-${extra.join('')}.json`);
    const r = await quietMain(['monitor', '--run', run.dir, '--data', data, '--out', out, ...extra]);
    assert.equal(r.code, 0, r.out + r.err);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    return j.weeks.map((w: { features: { name: string; group: string; psi: number }[] }) => w.features.filter((f) => f.group === 'score'));
  };
  const own = await run1([]);
  assert.ok(own.every((f: unknown[]) => f.length === 1), 'a score PSI every week');
  assert.deepEqual(own, await run1(['--scores', scoresFile]), 'the same as passing those scores');
  assert.ok((await run1(['--no-score'])).every((f: unknown[]) => f.length === 0));
});
