import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, type Simulation } from '../../src/simulate/generate.js';
import { PRESETS, DEFAULT_KNOBS } from '../../src/simulate/presets.js';
import { buildKnobs, knobChanges, parseKnobSetting, SIM_VARIANTS } from '../../src/simulate/variants.js';
import { makeContentStore } from '../../src/simulate/content.js';
import { writeFrames, visualLatent } from '../../src/simulate/frames.js';
import { makeGeometry, CH_VISUAL } from '../../src/simulate/world.js';
import { readDetectorTable } from '../../src/simulate/detectorFile.js';
import { simulateToDir } from '../../src/simulate/write.js';
import { fitLogistic, scoreLogistic, type FeatureMatrix } from '../../src/simulate/probe.js';
import { writeVideoTable, writeTruthTable } from '../../src/data/parquet.js';
import { meanFrame, MS_PER_WEEK } from '../../src/data/table.js';
import { main } from '../../src/cli/main.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { setQuiet } from '../../src/util/progress.js';

setQuiet(true);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Golden hashes of `tiny`, seed 1, written by the simulator before the variant knobs existed: the
 * default world must not move by a single byte. (A Parquet writer upgrade would change them too; then
 * regenerate them from a build without simulator changes.)
 */
const TINY_VIDEOS_SHA = '0ea615c7fcc6c7af42496bfb0edf137fc0d6ada0f2b2ae23af6029085e0aef7c';
const TINY_TRUTH_SHA = '30dca5010a8e1e9e3d76f14751806c81e3179fe88a0b8ceb6b3696738a31d028';

const tinyDefault = simulate(PRESETS.tiny, 1, buildKnobs('none'));

test('default world unchanged: tiny seed 1 (variant none) writes the golden videos.parquet and truth.parquet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-simvar-'));
  try {
    await writeVideoTable(join(dir, 'v.parquet'), tinyDefault.table);
    await writeTruthTable(join(dir, 't.parquet'), tinyDefault.truth);
    assert.equal(sha(readFileSync(join(dir, 'v.parquet'))), TINY_VIDEOS_SHA);
    assert.equal(sha(readFileSync(join(dir, 't.parquet'))), TINY_TRUTH_SHA);
    assert.equal(tinyDefault.detector, undefined, 'the default world has no detector');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** Rows of the last 3 weeks vs the earlier ones. */
function timeSplit(sim: Simulation): { train: number[]; test: number[] } {
  const cut = sim.endMs - 3 * MS_PER_WEEK;
  const train: number[] = [], test: number[] = [];
  for (let r = 0; r < sim.table.n; r++) (sim.table.uploadTs[r] >= cut ? test : train).push(r);
  return { train, test };
}

/** Unweighted ROC AUC (Mann–Whitney, ties counted half). */
function auc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  let pos = 0, neg = 0, wins = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    pos++;
    for (let j = 0; j < y.length; j++) {
      if (y[j] === 1) continue;
      if (pos === 1) neg++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / (pos * neg);
}

/** Mean-pooled frame or audio embedding per row (audio: rows with a track only). */
function meanPooled(sim: Simulation, modality: 'visual' | 'audio'): { f: FeatureMatrix; rows: Set<number> } {
  const t = sim.table;
  const d = modality === 'visual' ? t.frameDim : t.audioDim;
  const x = new Float32Array(t.n * d);
  const rows = new Set<number>();
  for (let r = 0; r < t.n; r++) {
    if (modality === 'visual') { x.set(meanFrame(t, r), r * d); rows.add(r); continue; }
    const a = t.audioOffsets[r], b = t.audioOffsets[r + 1];
    if (b === a) continue;
    rows.add(r);
    for (let s = a; s < b; s++) for (let j = 0; j < d; j++) x[r * d + j] += t.audioEmb[s * d + j] / (b - a);
  }
  return { f: { n: t.n, d, x }, rows };
}

/** Test-window AUC of a logistic regression on the modality's mean-pooled embedding. */
function pooledLogisticAuc(sim: Simulation, modality: 'visual' | 'audio'): number {
  const { f, rows } = meanPooled(sim, modality);
  const { train, test } = timeSplit(sim);
  // Originals only on the test side: a re-upload repeats its content's embedding latent, so a model
  // could recognise the *content* it saw labelled in training — identity, not label signal.
  const tr = Int32Array.from(train.filter((r) => rows.has(r))), te = test.filter((r) => rows.has(r) && sim.truth.reuploadOf[r] === null);
  const m = fitLogistic(f, sim.table.harmful, sim.table.weight, tr, createRng(5));
  return auc(scoreLogistic(m, f, te), te.map((r) => sim.table.harmful[r]));
}

test('noise modality: a logistic on the noise modality\'s mean embedding is at chance; the same labels are learnable from it in the default world', (t) => {
  const visualDefault = pooledLogisticAuc(tinyDefault, 'visual');
  assert.ok(visualDefault > 0.65, `default world, visual mean → AUC ${visualDefault}`);
  for (const modality of ['visual', 'audio'] as const) {
    const sim = simulate(PRESETS.tiny, 1, buildKnobs(`noise-${modality}`));
    // Same stream and labels as the default world: only the embeddings of one modality change.
    assert.deepEqual(sim.table.harmful, tinyDefault.table.harmful);
    const a = pooledLogisticAuc(sim, modality);
    t.diagnostic(`noise-${modality}: pooled-mean logistic AUC ${a.toFixed(3)} (default world visual ${visualDefault.toFixed(3)})`);
    assert.ok(Math.abs(a - 0.5) < 0.12, `noise-${modality}: AUC ${a} on its pooled mean`);
    if (modality === 'audio') {
      // the other modality still carries the signal
      const v = pooledLogisticAuc(sim, 'visual');
      assert.ok(Math.abs(v - visualDefault) < 1e-9, `visual changed under noise-audio: ${v} vs ${visualDefault}`);
    }
  }
});

test('faint segment: frames carry the harm only inside the interval, at the faint amplitude (counterfactual frames)', () => {
  const geom = makeGeometry(createRng(11), 16, 8);
  const cs = makeContentStore(1);
  cs.n = 1; cs.topic[0] = 2; cs.durationS[0] = 17; cs.cat[0] = 1; cs.intensity[0] = 1; cs.channels[0] = CH_VISUAL;
  cs.harmStart[0] = 6; cs.harmLen[0] = 3;
  /** Per-frame norm of (harmful frames − the same frames with the harm removed). */
  const harmPerFrame = (variant: string): number[] => {
    const k = buildKnobs(variant);
    const render = (cat: number): Float32Array => {
      cs.cat[0] = cat;
      const emb = new Float32Array(17 * 16), ts = new Float32Array(17);
      writeFrames(emb, ts, 0, 17, 0, visualLatent(createRng(4), geom, cs, 0, k), createRng(5), geom, k, cs, 0);
      return emb;
    };
    const a = render(1), b = render(-1);
    cs.cat[0] = 1;
    return Array.from({ length: 17 }, (_, f) => Math.hypot(...Array.from({ length: 16 }, (_, j) => a[f * 16 + j] - b[f * 16 + j])));
  };
  const faint = harmPerFrame('faint-segment');
  const carrying = faint.map((x, f) => (x > 1e-6 ? f : -1)).filter((f) => f >= 0);
  assert.deepEqual(carrying, [6, 7, 8], 'only the interval\'s own frames');
  for (const f of carrying) assert.ok(Math.abs(faint[f] - SIM_VARIANTS['faint-segment'].faintHarm! * 1.2) < 1e-4, `frame ${f}: ${faint[f]}`);
  // the default world spreads half the harm onto the neighbours, at the full amplitude
  const dflt = harmPerFrame('none');
  assert.deepEqual(dflt.map((x, f) => (x > 1e-6 ? f : -1)).filter((f) => f >= 0), [5, 6, 7, 8, 9]);
  assert.ok(Math.abs(dflt[7] - DEFAULT_KNOBS.visualHarm * 1.2) < 1e-4);
});

const tinyFaint = simulate(PRESETS.tiny, 1, buildKnobs('faint-segment'));

test('faint segment dataset: harm and look-alike intervals are at most k frames; the reference detector finds the harm frames', () => {
  const k = SIM_VARIANTS['faint-segment'].faintSegmentFrames!;
  const cs = tinyFaint.stream.contents;
  let harmful = 0, hard = 0;
  for (let c = 0; c < cs.n; c++) {
    if (cs.cat[c] >= 0) { harmful++; assert.ok(cs.harmLen[c] >= 1 && cs.harmLen[c] <= k, `content ${c}: harm over ${cs.harmLen[c]} s`); }
    if (cs.hardNeg[c]) { hard++; assert.ok(cs.lookLen[c] >= 1 && cs.lookLen[c] <= k, `content ${c}: look over ${cs.lookLen[c]} s`); }
  }
  assert.ok(harmful > 50 && hard > 100, `${harmful} harmful, ${hard} look-alike contents`);
  // twice the default world's look-alikes
  let hardDefault = 0;
  for (let c = 0; c < tinyDefault.stream.contents.n; c++) hardDefault += tinyDefault.stream.contents.hardNeg[c];
  assert.ok(hard > 1.6 * hardDefault, `${hard} vs ${hardDefault} look-alikes`);

  const det = tinyFaint.detector!;
  assert.ok(det, 'faint-segment has a detector');
  assert.equal(det.score.length, tinyFaint.table.n);
  const withHarm: number[] = [], benign: number[] = [];
  let meanFrames = 0;
  for (let r = 0; r < tinyFaint.table.n; r++) {
    const h = det.harmFrames[r];
    assert.ok(h >= 0 && h <= k, `row ${r}: ${h} harm frames`);
    if (h > 0) { withHarm.push(r); assert.equal(tinyFaint.truth.trueHarmful[r], 1); }
    else if (tinyFaint.truth.category[r] === 'none') benign.push(r);
    meanFrames += tinyFaint.table.frameOffsets[r + 1] - tinyFaint.table.frameOffsets[r];
  }
  assert.ok(withHarm.length > 40, `${withHarm.length} rows with visual harm`);
  assert.ok(meanFrames / tinyFaint.table.n > 12, 'harm frames are a small part of a video');
  const scores = [...withHarm, ...benign].map((r) => det.score[r]);
  const y = [...withHarm.map(() => 1), ...benign.map(() => 0)];
  const a = auc(scores, y);
  assert.ok(a > 0.9, `detector AUC, visual-harm rows vs benign: ${a}`);
});

test('variants are deterministic for a seed and differ from the default world only where they should', () => {
  const small = { ...PRESETS.tiny, nVirtual: 6000 };
  const digest = (s: Simulation) => createHash('sha256').update(Buffer.from(s.table.frameEmb.buffer)).update(Buffer.from(s.table.audioEmb.buffer))
    .update(Buffer.from(s.detector ? s.detector.score.buffer : new ArrayBuffer(0))).digest('hex');
  for (const v of ['faint-segment', 'noise-audio', 'noise-visual']) {
    const a = simulate(small, 3, buildKnobs(v)), b = simulate(small, 3, buildKnobs(v));
    assert.equal(digest(a), digest(b), `${v}: same seed, different output`);
  }
  const base = simulate(small, 3), na = simulate(small, 3, buildKnobs('noise-audio')), nv = simulate(small, 3, buildKnobs('noise-visual'));
  assert.deepEqual(na.table.frameEmb, base.table.frameEmb, 'noise-audio must leave frames alone');
  assert.notDeepEqual(na.table.audioEmb, base.table.audioEmb);
  assert.deepEqual(nv.table.audioEmb, base.table.audioEmb, 'noise-visual must leave audio alone');
  assert.deepEqual(nv.table.transcript, base.table.transcript);
  assert.notDeepEqual(nv.table.frameEmb, base.table.frameEmb);
});

test('knob settings: variant then name=value; bad names and values name the knob', () => {
  const k = buildKnobs('faint-segment', ['faintSegmentFrames=2', 'faintHarm=3.5', 'noiseModality=audio']);
  assert.equal(k.faintSegmentFrames, 2);
  assert.equal(k.faintHarm, 3.5);
  assert.equal(k.noiseModality, 'audio');
  assert.equal(k.hardNegativeRate, SIM_VARIANTS['faint-segment'].hardNegativeRate);
  assert.deepEqual(knobChanges(buildKnobs('none')), {});
  assert.deepEqual(knobChanges(buildKnobs('noise-visual')), { noiseModality: 'visual' });
  assert.deepEqual(parseKnobSetting(' visualHarm = 6 '), ['visualHarm', 6]);
  const bad = (f: () => unknown, field: string, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof VigilError && e.field === field && re.test(e.message));
  bad(() => buildKnobs('loud'), 'variant', /expected one of none, faint-segment, noise-audio, noise-visual, got 'loud'/);
  bad(() => buildKnobs('toString'), 'variant', /got 'toString'/);
  bad(() => parseKnobSetting('faintHarm'), 'knob', /expected name=value/);
  bad(() => parseKnobSetting('loudness=3'), 'knob', /unknown knob 'loudness'/);
  bad(() => parseKnobSetting('faintHarm=abc'), 'faintHarm', /expects a number in \[0, 50\], got 'abc'/);
  bad(() => parseKnobSetting('baseHarmRate=2'), 'baseHarmRate', /\[0, 1\]/);
  bad(() => parseKnobSetting('faintSegmentFrames=2.5'), 'faintSegmentFrames', /whole number/);
  bad(() => parseKnobSetting('faintHarm='), 'faintHarm', /got ''/);
  bad(() => parseKnobSetting('noiseModality=text'), 'noiseModality', /one of none, visual, audio/);
});

test('vigil simulate --variant faint-segment writes detector.parquet and records the variant; bad options are named', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-simvar-cli-'));
  const log = console.log, err = console.error;
  const lines: string[] = [], errs: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { errs.push(a.join(' ')); };
  try {
    const out = join(root, 'ds');
    const code = await main(['simulate', '--preset', 'tiny', '--seed', '2', '--uploads', '5000', '--variant', 'faint-segment', '--knob', 'faintHarm=5', '--out', out]);
    assert.equal(code, 0, errs.join('\n'));
    assert.deepEqual(readdirSync(out).sort(), ['detector.parquet', 'profile.json', 'truth.parquet', 'videos.parquet']);
    const profile = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
    assert.equal(profile.variant, 'faint-segment');
    assert.deepEqual(profile.knobs, { hardNegativeRate: 0.06, faintSegmentFrames: 4, faintHarm: 5 });
    const det = await readDetectorTable(join(out, 'detector.parquet'));
    const sim = simulate({ ...PRESETS.tiny, nVirtual: 5000 }, 2, buildKnobs('faint-segment', ['faintHarm=5']));
    assert.deepEqual(det.videoId, sim.table.videoId);
    assert.deepEqual(det.score, sim.detector!.score);
    assert.deepEqual(det.harmFrames, sim.detector!.harmFrames);
    assert.ok(lines.some((l) => /variant 'faint-segment'/.test(l)), lines.join('\n'));

    // the default world: no detector file, no variant keys
    const plain = join(root, 'plain');
    await simulateToDir({ ...PRESETS.tiny, nVirtual: 3000 }, 2, plain);
    assert.ok(!existsSync(join(plain, 'detector.parquet')));
    assert.ok(!('variant' in JSON.parse(readFileSync(join(plain, 'profile.json'), 'utf8'))));

    assert.equal(await main(['simulate', '--preset', 'tiny', '--variant', 'loud', '--out', join(root, 'x')]), 2);
    assert.match(errs.pop()!, /--variant: expected one of/);
    assert.equal(await main(['simulate', '--preset', 'tiny', '--knob', 'faintHarm=-1', '--out', join(root, 'x')]), 2);
    assert.match(errs.pop()!, /knob 'faintHarm' expects a number/);
    assert.ok(!existsSync(join(root, 'x')));
  } finally {
    console.log = log; console.error = err;
    rmSync(root, { recursive: true, force: true });
  }
});
