import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noiseAgainstVotes, pairedDelta, runRealCorpus, DAVIDSON, type RealCorpusSpec } from '../../src/bench/realCorpus.js';
import { deltaSentence, realCorpusMarkdown } from '../../src/bench/realCorpusReport.js';
import { parseConfig } from '../../src/config.js';
import { latestRealCorpusRows } from '../../src/notebook/realCorpusResult.js';
import { createRng } from '../../src/util/rng.js';
import { DEBIAN_PYTHON } from '../helpers.js';

const hasSklearn = existsSync(DEBIAN_PYTHON) && spawnSync(DEBIAN_PYTHON, ['-c', 'import sklearn, xgboost']).status === 0;

test('pairedDelta: percentile interval of the per-resample differences; too few finite resamples → no interval', () => {
  const a = Float64Array.from({ length: 40 }, (_, k) => 0.5 + k / 1000);
  const b = Float64Array.from({ length: 40 }, () => 0.5);
  const d = pairedDelta(a, b, 0.02);
  assert.equal(d.value, 0.02);
  assert.ok(d.ci && d.ci[0] >= 0 && d.ci[1] <= 0.039 && d.ci[0] < d.ci[1]);
  const nan = Float64Array.from({ length: 40 }, (_, k) => (k < 30 ? NaN : 0.6));
  assert.deepEqual(pairedDelta(nan, b, 0.1), { value: 0.1, ci: null });
});

test('noiseAgainstVotes: contested and one-vote-from-flipping rows counted by hand', () => {
  // rows: label, harmful votes of count
  const labels = [1, 1, 0, 0, 0, 1];
  const votes = [{ harmful: 3, count: 3 }, { harmful: 2, count: 3 }, { harmful: 0, count: 3 }, { harmful: 1, count: 3 }, { harmful: 2, count: 6 }, { harmful: 4, count: 6 }];
  const train = [0, 1, 2, 3, 4, 5];
  // Flag rows 1 (positive, 2/3: contested, one vote from flipping), 3 (negative, 2/3 agree: contested, close), 2 (unanimous).
  const r = noiseAgainstVotes([1, 3, 2], train, labels, votes);
  assert.equal(r.flagged, 3);
  assert.equal(r.flaggedContested, 2);
  assert.equal(r.flaggedMinorityClose, 2);
  // Contested training rows: 1, 3, 4 (4 of 6 agree), 5 (4 of 6 agree) → 4; flagged classes {0,1} cover all 6 rows.
  assert.equal(r.contestedTrainRows, 4);
  assert.equal(r.baseContestedShare, 4 / 6);
});

test('realCorpusMarkdown: a skipped corpus says why; a paired delta reads as a verdict', () => {
  const md = realCorpusMarkdown({ status: 'skipped', corpus: 'x', reason: 'the file is absent' }).join('\n');
  assert.match(md, /Skipped: the file is absent/);
  assert.equal(deltaSentence({ value: -0.1, ci: [-0.15, -0.05] }), '−0.100 [−0.150, −0.050] — Vigil behind');
  assert.equal(deltaSentence({ value: 0.01, ci: [-0.02, 0.04] }), '+0.010 [−0.020, +0.040] — not separated');
});

test('runRealCorpus: an absent corpus is skipped with the path named', async () => {
  const r = await runRealCorpus({ cfg: parseConfig({}), workDir: join(tmpdir(), 'vigil-real-absent'), dataRoot: '/nonexistent/data' });
  assert.equal(r.status, 'skipped');
  assert.match((r as { reason: string }).reason, /\/nonexistent\/data\/davidson-2017\/labeled_data\.csv is absent/);
});

/**
 * A small labelled text corpus in the Davidson layout (votes per row): harmful texts carry one of a
 * few marker words among filler, so any working text model ranks them well above chance.
 */
function writeCorpus(dir: string, n: number): RealCorpusSpec {
  const rng = createRng(11);
  const filler = ['the', 'game', 'was', 'fun', 'today', 'with', 'friends', 'and', 'music', 'at', 'night', 'again'];
  const markers = ['vile', 'scum', 'vermin'];
  const lines = [',count,bad_votes,class,text'];
  for (let i = 0; i < n; i++) {
    const harmful = rng.next() < 0.2;
    const words = Array.from({ length: 8 }, () => filler[rng.int(filler.length)]);
    if (harmful && rng.next() < 0.85) words[rng.int(8)] = markers[rng.int(3)];
    const votes = harmful ? 2 + rng.int(2) : rng.int(2);
    lines.push(`${i},3,${votes},${harmful ? 0 : 1},"${words.join(' ')}, ok"`);
  }
  mkdirSync(join(dir, 'toy'), { recursive: true });
  writeFileSync(join(dir, 'toy', 'corpus.csv'), lines.join('\n') + '\n');
  return { ...DAVIDSON, name: 'toy', file: 'toy/corpus.csv', import: { text: 'text', label: 'class', positive: ['0'] }, votes: { harmful: 'bad_votes', count: 'count' }, reference: 'a toy corpus' };
}

test('runRealCorpus: import → vigil run with defaults → ONNX test scores beside text peers on the same rows', { skip: hasSklearn ? false : 'python3-sklearn / python3-xgboost not installed' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-real-'));
  try {
    const spec = writeCorpus(join(root, 'data'), 900);
    const cfg = parseConfig({ compare: { variants: ['fusion:no_noise', 'tower:meta', 'tower:text'], leakageDemo: false }, eval: { bootstrap: 50 } });
    const r = await runRealCorpus({ cfg, workDir: join(root, 'work'), dataRoot: join(root, 'data'), spec });
    assert.equal(r.status, 'ok');
    if (r.status !== 'ok') return;
    assert.equal(r.rows.total, 900);
    assert.equal(r.rows.train + r.rows.calib + r.rows.test, 900);
    assert.equal(r.splitMethod, 'stratified group split (no timestamps)');
    assert.deepEqual(r.rowsTable.map((x) => [x.kind, x.status]), [['vigil', 'ok'], ['peer', 'ok'], ['peer', 'ok']]);
    const [vigil, lr] = r.rowsTable;
    // The marker words make the corpus easy: every model is far above the ~0.2 chance level.
    for (const m of r.rowsTable) assert.ok((m.ap?.value ?? 0) > 0.5, `${m.model} AP ${m.ap?.value}`);
    assert.ok(vigil.apDelta === null && lr.apDelta?.ci, 'the peers carry a paired AP difference');
    assert.ok(Math.abs((lr.apDelta!.value as number) - ((vigil.ap!.value as number) - (lr.ap!.value as number))) < 1e-12);
    assert.equal(r.selection.exported.length > 0, true);
    assert.ok(r.noise && r.noise.trainRows === r.rows.train);
    assert.match(realCorpusMarkdown(r).join('\n'), /Vigil AP − this AP/);
    // The notebooks show the newest result file that has a real-corpus section.
    const results = join(root, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    assert.equal(latestRealCorpusRows(root), null);
    writeFileSync(join(results, '2026-01-01-real.json'), JSON.stringify({ real: r }));
    writeFileSync(join(results, '2026-02-01.json'), JSON.stringify({ quality: {} }));
    const shown = latestRealCorpusRows(root)!;
    assert.equal(shown.file, join('bench', 'results', '2026-01-01-real.json'));
    assert.deepEqual(shown.rows.map((x) => x.model), r.rowsTable.map((x) => x.model));
    assert.equal(shown.rows[1]['Vigil AP − this AP (paired 95%)'], deltaSentence(lr.apDelta));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
