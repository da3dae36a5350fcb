import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/generate.js';
import { PRESETS, getPreset } from '../../src/simulate/presets.js';
import { simulationProfile } from '../../src/simulate/profile.js';
import { channelCoverage } from '../../src/simulate/check.js';
import { recallAtFpr, precisionAtTop } from '../../src/stats/quickMetrics.js';
import { probeFeatures, fitLogistic, scoreLogistic } from '../../src/simulate/probe.js';
import { measureProfile } from '../../src/data/profile.js';
import { writeVideoTable } from '../../src/data/parquet.js';
import { takeRows, meanFrame, MS_PER_DAY, MS_PER_WEEK } from '../../src/data/table.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { setQuiet } from '../../src/util/progress.js';

setQuiet(true);

const tiny = simulate(PRESETS.tiny, 1);
const prof = simulationProfile(tiny);

test('same seed → byte-identical videos.parquet; another seed → different bytes', async () => {
  const small = { ...PRESETS.tiny, nVirtual: 6000 };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  try {
    const files = [1, 1, 2].map((seed, k) => join(dir, `v${k}.parquet`));
    for (const [k, seed] of [1, 1, 2].entries()) await writeVideoTable(files[k], simulate(small, seed).table);
    const [a, b, c] = files.map((f) => readFileSync(f));
    assert.ok(a.length > 10_000);
    assert.ok(a.equals(b), 'same seed wrote different bytes');
    assert.ok(!a.equals(c), 'different seeds wrote the same bytes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tiny profile meets the StreamShare targets (tolerances sized for ~140 positives)', () => {
  assert.equal(prof.weeks, 8);
  assert.equal(prof.n_virtual, 40_000);
  assert.ok(Math.abs(measureProfile(tiny.table).n_virtual - 40_000) < 1500, "Σ weight should estimate the stream size");
  assert.ok(Math.abs(prof.prevalence - 0.0035) <= 0.0012, `prevalence ${prof.prevalence}`);
  // spike regions at 1–2%, most regions near the base rate
  const regs = Object.entries(prof.region_prevalence);
  assert.ok(prof.region_prevalence.XM >= 0.008 && prof.region_prevalence.XN >= 0.008, JSON.stringify(prof.region_prevalence));
  const normal = regs.filter(([k]) => k !== 'XM' && k !== 'XN').map(([, v]) => v).sort((a, b) => a - b);
  const median = normal[Math.floor(normal.length / 2)];
  assert.ok(median > 0.0015 && median < 0.0045, `median region prevalence ${median}`);
  assert.ok(Math.abs(prof.missing_metadata_rate - 0.08) <= 0.025, `missing ${prof.missing_metadata_rate}`);
  assert.ok(prof.missing_metadata_rate_new_accounts! > 3 * prof.missing_metadata_rate, 'missing metadata not concentrated on new accounts');
  assert.ok(Math.abs(prof.no_audio_rate - 0.22) <= 0.02, `no audio ${prof.no_audio_rate}`);
  assert.ok(Math.abs(prof.asr_rate - 0.61) <= 0.025, `asr ${prof.asr_rate}`);
  assert.ok(Math.abs(prof.non_english_asr_rate - 0.35) <= 0.03, `non-English ${prof.non_english_asr_rate}`);
  assert.ok(prof.asr_confidence_non_english! < prof.asr_confidence_english! - 0.08);
  assert.ok(Math.abs(prof.mean_frames - 18) <= 2.5, `mean frames ${prof.mean_frames}`);
  assert.ok(prof.max_frames >= 300 && prof.max_frames <= 600, `max frames ${prof.max_frames}`);
  assert.ok(Math.abs(prof.rater_kappa! - 0.78) <= 0.05, `kappa ${prof.rater_kappa}`);
  assert.ok(prof.reupload_rate! > 0.01 && prof.harmful_reupload_rate! > 3 * prof.reupload_rate!, `re-uploads ${prof.reupload_rate} / ${prof.harmful_reupload_rate}`);
  assert.equal(prof.frame_dim, 64);
  assert.equal(prof.audio_dim, 32);
});

test('storage keeps every positive at weight 1 and negatives at 1/keep rate', () => {
  const s = tiny.stream;
  let positives = 0;
  for (let j = 0; j < s.n; j++) if (s.label[j] === 1) { positives++; assert.equal(s.keep[j], 1); }
  let stored = 0;
  for (let r = 0; r < tiny.table.n; r++) {
    if (tiny.table.harmful[r] === 1) { stored++; assert.equal(tiny.table.weight[r], 1); }
    else assert.equal(tiny.table.weight[r], Math.fround(1 / PRESETS.tiny.negKeepRate));
  }
  assert.equal(stored, positives);
  const keptNeg = (tiny.table.n - stored) / (s.n - positives);
  assert.ok(Math.abs(keptNeg - PRESETS.tiny.negKeepRate) < 0.01, `kept ${keptNeg}`);
});

test('metadata is point-in-time: prior_strikes counts only removals before the upload', () => {
  const s = tiny.stream, t = tiny.table;
  // every creator's removal log from the generator's own events
  const log = new Map<number, number[]>();
  for (let j = 0; j < s.n; j++) if (!Number.isNaN(s.removalTs[j])) {
    assert.ok(s.removalTs[j] > s.ts[j], 'a removal precedes its own upload');
    const a = log.get(s.creator[j]) ?? []; a.push(j); log.set(s.creator[j], a);
  }
  let checked = 0, withStrikes = 0, futureStrikesIgnored = 0;
  for (let r = 0; r < t.n; r++) {
    if (Number.isNaN(t.priorStrikes[r])) continue;
    const j = tiny.rowUpload[r];
    let expected = 0;
    for (const u of log.get(s.creator[j]) ?? []) {
      if (s.removalTs[u] < t.uploadTs[r]) {
        assert.ok(s.ts[u] < t.uploadTs[r] && u !== j, `row ${r} counts a strike from this or a later upload`);
        expected++;
      } else if (s.ts[u] <= t.uploadTs[r]) futureStrikesIgnored++;
    }
    assert.equal(t.priorStrikes[r], expected, `prior_strikes at row ${r}`);
    const age = Math.floor((t.uploadTs[r] - tiny.creators.joinMs[s.creator[j]]) / MS_PER_DAY);
    assert.equal(t.accountAgeDays[r], age, `account_age_days at row ${r}`);
    assert.ok(age >= 0);
    checked++;
    if (expected > 0) withStrikes++;
  }
  assert.ok(checked > 9000 && withStrikes > 20, `checked ${checked}, with strikes ${withStrikes}`);
  // the property is not vacuous: some uploads happen between an earlier upload and its removal
  assert.ok(futureStrikesIgnored > 0);
});

test('re-uploads are near-duplicates of their original and keep its harm', () => {
  const t = tiny.table, tr = tiny.truth;
  const row = new Map(t.videoId.map((v, i) => [v, i]));
  const dist = (a: Float32Array, b: Float32Array): number => { let s = 0; for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2; return Math.sqrt(s); };
  let pairs = 0, closer = 0;
  const rng = createRng(5);
  for (let i = 0; i < t.n; i++) {
    const o = tr.reuploadOf[i] === null ? undefined : row.get(tr.reuploadOf[i]!);
    if (o === undefined) continue;
    pairs++;
    const d = dist(meanFrame(t, i), meanFrame(t, o));
    const other = rng.int(t.n);
    if (d < dist(meanFrame(t, i), meanFrame(t, other))) closer++;
    assert.equal(tr.trueHarmful[i], tr.trueHarmful[o], 'a re-upload changed the content harm');
  }
  assert.ok(pairs >= 20, `pairs ${pairs}`);
  assert.ok(closer / pairs > 0.95, `near-duplicates closer than random in ${closer}/${pairs}`);
});

test('the drift category appears only in the most recent weeks', () => {
  const t = tiny.table, tr = tiny.truth;
  const driftStart = tiny.startMs + (PRESETS.tiny.weeks - PRESETS.tiny.driftWeeks) * MS_PER_WEEK;
  let late = 0;
  for (let i = 0; i < t.n; i++) if (tr.category[i] === 'hate_symbol') { assert.ok(t.uploadTs[i] >= driftStart); late++; }
  assert.ok(late > 0);
});

test('weighted recall@FPR and precision@top on a hand-computed case', () => {
  // scores desc: 0.9(y1,w1) 0.8(y0,w2) 0.7(y1,w1) 0.6(y0,w4) 0.5(y1,w2); P=4, N=6
  const s = [0.9, 0.8, 0.7, 0.6, 0.5], y = [1, 0, 1, 0, 1], w = [1, 2, 1, 4, 2];
  assert.equal(recallAtFpr(s, y, 0.2, w), 0.25); // FPR 2/6 > 0.2 after the 2nd row
  assert.equal(recallAtFpr(s, y, 0.34, w), 0.5);
  assert.equal(recallAtFpr(s, y, 1, w), 1);
  // top 30% of weight 10 = 3: row1 (w1, pos) + row2 (w2, neg) → 1/3
  assert.ok(Math.abs(precisionAtTop(s, y, 0.3, w) - 1 / 3) < 1e-12);
  // top 10% = weight 1: just the first row
  assert.equal(precisionAtTop(s, y, 0.1, w), 1);
});

test('measureProfile weights every rate by the weight column', () => {
  const t = takeRows(tiny.table, [0, 1, 2, 3]);
  t.weight.set([1, 3, 2, 4]);
  t.harmful.set([1, 0, 0, 0]);
  t.country.splice(0, 4, 'A', 'A', 'B', 'B');
  t.hasAudio.set([1, 0, 1, 1]);
  t.transcript.splice(0, 4, 'a b', null, 'c', null);
  t.language.splice(0, 4, 'en', null, 'fr', null);
  t.accountAgeDays.set([10, NaN, 5, 7]);
  const p = measureProfile(t);
  assert.equal(p.n_virtual, 10);
  assert.equal(p.prevalence, 0.1);
  assert.deepEqual(p.region_prevalence, { A: 0.25, B: 0 });
  assert.equal(p.no_audio_rate, 0.3);
  assert.equal(p.asr_rate, 0.3);
  assert.ok(Math.abs(p.non_english_asr_rate - 2 / 3) < 1e-12);
  assert.equal(p.missing_metadata_rate, 0.3);
  assert.equal(p.rater_kappa, null);
  assert.equal(p.reupload_rate, null);
});

test('the oracle beats a metadata-only model on the recent-time test weeks', () => {
  const t = tiny.table;
  const cut = tiny.startMs + (PRESETS.tiny.weeks - 3) * MS_PER_WEEK;
  const train: number[] = [], testRows: number[] = [];
  for (let i = 0; i < t.n; i++) (t.uploadTs[i] >= cut ? testRows : train).push(i);
  const f = probeFeatures(t, 'meta');
  const m = fitLogistic(f, t.harmful, t.weight, Int32Array.from(train), createRng(3));
  const metaScore = scoreLogistic(m, f, testRows);
  const y = testRows.map((i) => t.harmful[i]), w = testRows.map((i) => t.weight[i]);
  const oracle = testRows.map((i) => tiny.truth.oracleP[i]);
  const oR = recallAtFpr(oracle, y, 0.02, w), mR = recallAtFpr(metaScore, y, 0.02, w);
  const oP = precisionAtTop(oracle, y, 0.01, w), mP = precisionAtTop(metaScore, y, 0.01, w);
  assert.ok(oR >= 0.95 && oP >= 0.28, `oracle ${oR} / ${oP}`);
  assert.ok(mR <= 0.6, `metadata recall@2%FPR ${mR}`);
  assert.ok(oR > mR + 0.3 && oP > mP + 0.1, `oracle ${oR}/${oP} vs metadata ${mR}/${mP}`);
});

test('no single content modality carries every test-window positive', () => {
  const c = channelCoverage(tiny);
  assert.ok(c.positives > 30);
  assert.ok(c.visual > 0.4 && c.visual < 0.85, `visual ${c.visual}`);
  assert.ok(c.audio > 0.05 && c.audio < 0.5, `audio ${c.audio}`);
  assert.ok(c.text > 0.05 && c.text < 0.5, `text ${c.text}`);
  assert.ok(c.labelNoise > 0 && c.labelNoise < 0.3, `label noise ${c.labelNoise}`);
  assert.ok(c.driftCategory > 0, 'no drift-category positives in the test window');
});

test('ASR errors grow as confidence drops; some harm is only in speech', () => {
  const t = tiny.table;
  const known = new Set<string>();
  for (const v of tiny.vocab) for (const w of [...v.filler, ...v.topic.flat(), ...v.harm.flat(), ...v.edgy]) known.add(w);
  const oov = (lo: number, hi: number): number => {
    let bad = 0, all = 0;
    for (let i = 0; i < t.n; i++) {
      const c = t.asrConfidence[i];
      if (t.transcript[i] === null || !(c >= lo && c < hi)) continue;
      for (const w of t.transcript[i]!.split(' ')) { all++; if (!known.has(w)) bad++; }
    }
    assert.ok(all > 500, `only ${all} words with confidence in [${lo}, ${hi})`);
    return bad / all;
  };
  const high = oov(0.9, 1), low = oov(0, 0.72);
  assert.ok(high < 0.15 && low > 2 * high, `corrupted-word rate ${low} at low confidence vs ${high} at high`);
  // harmful content with a harmless image and harmful speech
  const cs = tiny.stream.contents;
  let speechNotImage = 0, harmful = 0;
  for (let c = 0; c < cs.n; c++) if (cs.cat[c] >= 0) { harmful++; if ((cs.channels[c] & 1) === 0 && (cs.channels[c] & 4) !== 0) speechNotImage++; }
  assert.ok(speechNotImage >= 0.05 * harmful, `harmless image + harmful speech: ${speechNotImage} of ${harmful}`);
});

test('bad presets and seeds are rejected naming the field', () => {
  assert.throws(() => getPreset('huge'), (e: unknown) => e instanceof VigilError && e.field === 'preset' && /tiny, default, bench/.test(e.message));
  assert.throws(() => simulate(PRESETS.tiny, 1.5), (e: unknown) => e instanceof VigilError && e.field === 'seed');
});
