import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoTable } from '../../src/data/table.js';
import { makeSplit, splitFingerprint } from '../../src/split/split.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { TRAIN, CALIB, TEST, PURGED } from '../../src/split/types.js';
import { formatSplitSummary } from '../../src/split/summary.js';
import { simulateToDir } from '../../src/simulate/write.js';
import { readSplitParquet } from '../../src/split/io.js';
import { main } from '../../src/cli/main.js';
import { setQuiet } from '../../src/util/progress.js';
import { createRng } from '../../src/util/rng.js';
import { makeTable } from '../fixtures/videos.js';
import { buildFingerprintIndex, lookupFingerprint } from '../../src/split/fingerprintIndex.js';
import { fingerprintVideo } from '../../src/split/fingerprint.js';

/**
 * A dataset without time: `n` rows from `creators` authors (heavy-tailed), ~`prevalence` positives,
 * with or without frame embeddings.
 */
function noTimeTable(n: number, creators: number, prevalence: number, withFrames: boolean, seed = 1): VideoTable {
  const rng = createRng(seed);
  const t = makeTable(Array.from({ length: n }, (_, i) => ({
    id: `v${i}`, creator: `c${Math.floor(creators * rng.next() ** 2)}`, frames: 1, audio: null,
    harmful: (rng.next() < prevalence ? 1 : 0) as 0 | 1,
  })), { frameDim: 8, seed });
  t.uploadTs.fill(NaN);
  if (!withFrames) {
    t.frameDim = 0; t.frameOffsets = new Int32Array(n + 1); t.frameTs = new Float32Array(0); t.frameEmb = new Float32Array(0);
  }
  return t;
}

const cfg = splitConfigSchema.parse({ folds: 4, minFoldPositives: 5 });

function parts(t: VideoTable, split: Uint8Array) {
  const c = [TRAIN, CALIB, TEST, PURGED].map((s) => {
    let rows = 0, pos = 0;
    for (let i = 0; i < t.n; i++) if (split[i] === s) { rows++; pos += t.harmful[i]; }
    return { rows, pos };
  });
  return { train: c[0], calib: c[1], test: c[2], purged: c[3] };
}

test('no timestamps: a stratified group split — every part has its share of positives, creators never straddle parts', () => {
  const t = noTimeTable(3000, 600, 0.06, false);
  const r = makeSplit(t, cfg, 7);
  assert.equal(r.report.method, 'stratified-group');
  assert.ok(r.report.notes.includes('no timestamps: stratified group split, not a recent-time holdout'));
  const p = parts(t, r.assignment.split);
  assert.equal(p.purged.rows, 0, 'without time nothing is purged');
  const totalPos = p.train.pos + p.calib.pos + p.test.pos;
  for (const [name, share] of [['train', 0.7], ['calib', 0.15], ['test', 0.15]] as const) {
    const part = p[name];
    assert.ok(Math.abs(part.rows / t.n - share) < 0.03, `${name} has ${part.rows} rows (target ${share})`);
    assert.ok(Math.abs(part.pos / totalPos - share) < 0.03, `${name} has ${part.pos} of ${totalPos} positives (target ${share})`);
    assert.ok(part.pos > 0);
  }
  // Creators (the leakage groups here) never straddle parts, and the audit proves it.
  const partOf = new Map<string, number>();
  for (let i = 0; i < t.n; i++) {
    const prev = partOf.get(t.creatorId[i]);
    if (prev !== undefined) assert.equal(prev, r.assignment.split[i], `creator ${t.creatorId[i]} straddles parts`);
    partOf.set(t.creatorId[i], r.assignment.split[i]);
  }
  assert.equal(r.audit.pass, true);
  assert.equal(r.audit.creatorGrouping, true);
  assert.ok(r.audit.overlaps.every((o) => o.creators === 0));
  // Deterministic for a seed; another seed deals groups differently.
  assert.equal(splitFingerprint(makeSplit(t, cfg, 7).assignment), splitFingerprint(r.assignment));
  assert.notEqual(splitFingerprint(makeSplit(t, cfg, 8).assignment), splitFingerprint(r.assignment));
  // Configurable proportions.
  const r2 = makeSplit(t, splitConfigSchema.parse({ ...cfg, noTime: { calibFraction: 0.1, testFraction: 0.3 } }), 7);
  const p2 = parts(t, r2.assignment.split);
  assert.ok(Math.abs(p2.test.rows / t.n - 0.3) < 0.03 && Math.abs(p2.calib.rows / t.n - 0.1) < 0.03);
  // Skipped steps are said, not hidden.
  assert.match(r.report.nearDup.skipped ?? '', /no frame embeddings/);
  assert.equal(r.report.pointInTime.checks.length, 0);
  assert.match(r.report.pointInTime.skipped ?? '', /no timestamps/);
  assert.ok(Object.values(r.report.windows).every((w) => w === null));
  const text = formatSplitSummary(r.audit, r.report);
  assert.match(text, /no timestamps: stratified group split, not a recent-time holdout/);
  assert.match(text, /near-duplicates: no frame embeddings in the dataset: near-duplicate clustering skipped/);
  assert.match(text, /point-in-time audit: no timestamps/);
  // Without frames the fingerprints carry no content: a known-content index built from them matches nothing.
  const index = buildFingerprintIndex(r.fingerprinter, t.videoId.slice(0, 5), r.signatures.subarray(0, 5 * (r.fingerprinter.bits / 32)), { bandBits: 16, minCosine: 0.92 });
  assert.equal(index.ids.length, 0);
  assert.deepEqual(lookupFingerprint(index, fingerprintVideo(r.fingerprinter, { frameMean: [], transcript: 'x' })), []);
});

test('no timestamps: CV folds are grouped and stratified within train', () => {
  const t = noTimeTable(3000, 600, 0.06, false, 2);
  const r = makeSplit(t, cfg, 3);
  assert.equal(r.report.foldChoice.kind, 'grouped');
  assert.equal(r.report.foldChoice.chosen, 4);
  assert.equal(r.report.folds.length, 4);
  const { fold, split } = r.assignment;
  const trainPos = r.report.folds[0].trainPositives + r.report.folds[0].valPositives;
  for (const f of r.report.folds) {
    assert.ok(Math.abs(f.valPositives - trainPos / 4) <= 2, `fold ${f.fold} has ${f.valPositives} of ${trainPos} positives`);
    assert.ok(f.valStart === null && f.valEnd === null);
  }
  const foldOfCreator = new Map<string, number>();
  for (let i = 0; i < t.n; i++) {
    if (split[i] !== TRAIN) { assert.equal(fold[i], -1); continue; }
    assert.ok(fold[i] >= 0 && fold[i] < 4);
    const prev = foldOfCreator.get(t.creatorId[i]);
    if (prev !== undefined) assert.equal(prev, fold[i], 'a creator straddles folds');
    foldOfCreator.set(t.creatorId[i], fold[i]);
  }
  // Too few positives for 4 folds: fewer, with the reason.
  const few = makeSplit(t, { ...cfg, minFoldPositives: 40 }, 3);
  assert.ok(few.report.foldChoice.chosen >= 2 && few.report.foldChoice.chosen < 4, JSON.stringify(few.report.foldChoice));
  assert.match(few.report.notes.join('\n'), /grouped CV folds instead of split\.folds=4, the most the data supports/);
  const none = makeSplit(t, { ...cfg, minFoldPositives: 1000 }, 3);
  assert.equal(none.report.foldChoice.chosen, 0);
  assert.ok(Array.from(none.assignment.fold).every((f) => f === -1));
  assert.match(none.report.notes.join('\n'), /no CV folds .* not even 2 folds fit/);
});

test('no timestamps with frames: near-duplicates are still grouped', () => {
  const t = noTimeTable(400, 400, 0.1, true, 4);
  // Rows 10 and 20 are the same content from different creators.
  t.frameEmb.set(t.frameEmb.subarray(10 * 8, 11 * 8), 20 * 8);
  const r = makeSplit(t, cfg, 1);
  assert.equal(r.report.nearDup.skipped, undefined);
  assert.equal(r.clusters[10], r.clusters[20]);
  assert.equal(r.assignment.split[10], r.assignment.split[20]);
  assert.equal(r.assignment.groupId[10], r.assignment.groupId[20]);
});

test('the tiny simulator preset splits with its defaults, choosing the folds it can support', async () => {
  setQuiet(true);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tiny-split-'));
  const log = console.log;
  const printed: string[] = [];
  console.log = (...a: unknown[]) => { printed.push(a.join(' ')); };
  try {
    await simulateToDir('tiny', 1, join(dir, 'd'));
    const out = join(dir, 's.parquet');
    assert.equal(await main(['split', '--data', join(dir, 'd'), '--out', out]), 0, printed.join('\n'));
    const m = JSON.parse(readFileSync(join(dir, 's.manifest.json'), 'utf8'));
    assert.equal(m.report.method, 'temporal');
    assert.equal(m.report.foldChoice.requested, 4);
    assert.ok(m.report.foldChoice.chosen < 4);
    assert.equal(m.report.folds.length, m.report.foldChoice.chosen);
    assert.match(m.report.foldChoice.reason, /minFoldPositives=10/);
    assert.match(printed.join('\n'), /forward-chaining folds \(\d of split\.folds=4\)/);
    const a = await readSplitParquet(out);
    const maxFold = Math.max(...Array.from(a.fold));
    assert.equal(maxFold, m.report.foldChoice.chosen === 0 ? -1 : m.report.foldChoice.chosen);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
});
