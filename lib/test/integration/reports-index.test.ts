import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportsDirFor, writeReportsIndex } from '../../src/report/index.js';
import { runCli } from '../helpers/runCli.js';
import { promoteRun } from '../../src/runs/promote.js';
import { block, tmpDir, writeFakeRun } from '../fixtures/runs.js';

test('the reports index lists runs newest first with links, the promoted mark and the gate vs the previous run', async () => {
  const root = tmpDir('index');
  const runs = join(root, 'experiments', 'runs');
  const reports = join(root, 'reports');
  await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.03), feasible: true });
  await writeFakeRun(runs, { id: 'r2', createdAt: '2026-11-02T00:00:00Z', test: block(0.20, 0.50, 0.03), feasible: false });
  await writeFakeRun(runs, { id: 'r3', createdAt: '2026-11-03T00:00:00Z', test: block(0.46, 0.83, 0.03) });
  writeFileSync(join(runs, 'r1', 'report.html'), '<html></html>');
  writeFileSync(join(runs, 'r1', 'report.md'), '# r1');
  promoteRun(runs, 'r1');
  const { rows, html, md } = writeReportsIndex(runs, reports);
  assert.deepEqual(rows.map((r) => r.run.id), ['r3', 'r2', 'r1']);
  assert.deepEqual(rows.map((r) => r.vsPrevious), ['promote', 'reject', null]);
  assert.deepEqual(rows.map((r) => r.promoted), [false, false, true]);
  assert.equal(rows[2].reportHref, '../experiments/runs/r1/report.html');
  assert.equal(rows[0].reportHref, null);
  const h = readFileSync(html, 'utf8');
  assert.match(h, /★ <a href="\.\.\/experiments\/runs\/r1\/report\.html">r1<\/a>/);
  const m = readFileSync(md, 'utf8');
  assert.match(m, /\| r2 \| default \| 20\.0% \[17\.0, 23\.0\] \| 50\.0% \[47\.0, 53\.0\] \| 20\.0% \[15\.0, 25\.0\] \| no \| fails \|/);
  assert.match(m, /★ \[r1\]\(\.\.\/experiments\/runs\/r1\/report\.md\)/);
});

test('reportsDirFor: the index sits beside the runs folder it lists, not in the current directory', () => {
  assert.equal(reportsDirFor('experiments/runs', '/w/repo'), 'reports', 'the repository layout keeps reports/ at the top');
  assert.equal(reportsDirFor('/w/other/experiments/runs', '/w/repo'), '/w/other/reports');
  assert.equal(reportsDirFor('out/runs', '/w/repo'), join('out', 'reports'));
  assert.equal(reportsDirFor('/data/vigil-runs', '/w/repo'), '/data/reports');
  assert.equal(reportsDirFor('../shared/runs/', '/w/repo'), '/w/shared/reports');
});

test('vigil report --dir X (index only) writes X/../reports/index.html and nothing under the current directory', async () => {
  const root = tmpDir('index-cli');
  const runs = join(root, 'store', 'my-runs');
  await writeFakeRun(runs, { id: 'r1', createdAt: '2026-11-01T00:00:00Z', test: block(0.45, 0.82, 0.03), feasible: true });
  writeFileSync(join(runs, 'r1', 'report.html'), '<html></html>');
  const cwd = process.cwd();
  const elsewhere = tmpDir('index-cwd');
  process.chdir(elsewhere);
  try {
    const r = await runCli(['report', '--dir', runs]);
    assert.equal(r.code, 0, r.err);
    const index = join(root, 'store', 'reports', 'index.html');
    assert.ok(existsSync(index), 'index beside the runs folder');
    assert.match(readFileSync(index, 'utf8'), /<a href="\.\.\/my-runs\/r1\/report\.html">r1<\/a>/);
    assert.match(r.out, /store\/reports\/index\.html \(1 runs\)/);
    assert.deepEqual(readdirSync(elsewhere), [], 'nothing written where the command ran');
  } finally { process.chdir(cwd); }
});
