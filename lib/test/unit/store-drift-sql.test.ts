import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticWeeks } from '../fixtures/drift.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import type { VideoTable } from '../../src/data/table.js';
import { SqlEngine } from '../../src/store/sqlEngine.js';
import { createStoreView } from '../../src/store/storeView.js';
import { driftTablesSql, SQL_DRIFT_FEATURES, type DriftTables } from '../../src/store/jobs/driftTables.js';
import { buildReference, computeDrift, weekStart } from '../../src/monitor/drift.js';
import { featureDefs, presentOnly, weightsOf } from '../../src/monitor/features.js';
import { categoricalShares, numericShares } from '../../src/monitor/psi.js';
import type { DriftReference } from '../../src/monitor/types.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';

// Ten weeks of uploads (the ninth shifted) with everything the drift bins look at: downsampled
// negatives (weight 4), harmful uploads with policy tags (some without), missing durations and
// upload hours, rare countries pooled into (other), and the fixture's conditional text and audio.
function driftTable(): VideoTable {
  const t = syntheticWeeks([...Array.from({ length: 8 }, () => ({ n: 160 })), { n: 160, shifted: true }, { n: 60 }], 5);
  const rng = createRng(21);
  const tags = ['violence', 'hate', 'spam', 'csam'];
  for (let i = 0; i < t.n; i++) {
    if (rng.next() < 0.12) {
      t.harmful[i] = 1;
      t.policyTags[i] = rng.next() < 0.1 ? [] : [tags[rng.int(tags.length)], 'other_tag'];
    } else if (i % 3 !== 0) t.weight[i] = 4;
    if (i % 11 === 0) t.durationS[i] = NaN;
    if (i % 19 === 0) t.uploadHour[i] = -1;
    if (i % 29 === 0) t.country[i] = `R${i % 6}`; // each well under 1%
  }
  return t;
}

let dir = '';
let engine: SqlEngine;
let table: VideoTable;
let ref: DriftReference;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-drift-sql-'));
  await writeVideoTable(join(dir, 'dated', 'videos.parquet'), driftTable(), { partitionBy: 'week', partRows: 60 });
  table = await readVideoTable(join(dir, 'dated'));
  // Reference: the first five weeks, as a run folder's reference.json holds it.
  const cut = Date.UTC(2026, 5, 1) + 5 * 7 * 86_400_000;
  const rows = Array.from({ length: table.n }, (_, i) => i).filter((i) => table.uploadTs[i] < cut);
  ref = JSON.parse(JSON.stringify(buildReference(table, rows))) as DriftReference;
  engine = await SqlEngine.open({ threads: 1 });
  await createStoreView(engine, join(dir, 'dated'));
});
after(() => { engine?.close(); rmSync(dir, { recursive: true, force: true }); });

/** The shares monitor/ computes for one week and feature (what computeDrift bins, which its report does not keep). */
function tsShares(ref: DriftReference, t: VideoTable, rows: number[], name: string): { n: number; shares: number[] } | null {
  const f = ref.features.find((x) => x.name === name)!;
  const def = featureDefs(ref.embeddings, false).find((d) => d.name === name)!;
  let ex = def.extract(t, rows);
  let w = weightsOf(t, rows);
  if (f.conditional) ({ ex, w } = presentOnly(ex, w));
  if (ex.values.length === 0) return null;
  return { n: ex.values.length, shares: ex.kind === 'numeric' ? numericShares(ex.values, f.edges!, w) : categoricalShares(ex.values, f.levels!, w) };
}

/** Every week, feature, share and PSI of the SQL tables equals the TypeScript report's (to 1e-9). */
function assertSameAsTypeScript(ref: DriftReference, t: VideoTable, sql: DriftTables): void {
  const report = computeDrift(ref, t);
  assert.deepEqual(sql.weeks.map((w) => w.week), report.weeks.map((w) => w.week));
  for (const [k, wk] of report.weeks.entries()) {
    const s = sql.weeks[k];
    assert.equal(s.n, wk.n, wk.week);
    assert.ok(wk.prevalence !== null && s.prevalence !== null && Math.abs(s.prevalence - wk.prevalence) < 1e-9, `${wk.week} prevalence`);
    const expected = wk.features.filter((f) => SQL_DRIFT_FEATURES.includes(f.name));
    assert.deepEqual(s.features.map((f) => f.name), expected.map((f) => f.name), `${wk.week}: same features, same order`);
    const rows = Array.from({ length: t.n }, (_, i) => i).filter((i) => weekStart(t.uploadTs[i]) === wk.week);
    for (const [j, f] of expected.entries()) {
      const g = s.features[j];
      assert.equal(g.n, f.n, `${wk.week} ${f.name} n`);
      assert.ok(Math.abs(g.psi - f.psi) < 1e-9, `${wk.week} ${f.name} psi ${g.psi} vs ${f.psi}`);
      assert.ok(Math.abs(g.noise - f.noise) < 1e-9, `${wk.week} ${f.name} noise`);
      const ts = tsShares(ref, t, rows, f.name)!;
      assert.equal(g.shares.length, ts.shares.length, `${wk.week} ${f.name} bins`);
      g.shares.forEach((x, b) => assert.ok(Math.abs(x - ts.shares[b]) < 1e-9, `${wk.week} ${f.name} bin ${b}: ${x} vs ${ts.shares[b]}`));
    }
  }
}

test('SQL weekly drift tables equal the TypeScript drift report: shares, n, PSI, noise, prevalence', async () => {
  const sql = await driftTablesSql(engine, ref);
  assertSameAsTypeScript(ref, table, sql);
  // Every metadata-level feature ran in SQL; the embedding summaries and word counts did not.
  const names = new Set(sql.weeks.flatMap((w) => w.features.map((f) => f.name)));
  for (const n of ['country', 'device', 'duration_s', 'account_age_days', 'prior_strikes', 'upload_hour', 'frame_count', 'audio_available', 'audio_segments', 'transcript_available', 'language', 'asr_confidence', 'harm_mix']) {
    assert.ok(names.has(n), `${n} computed in SQL`);
  }
  assert.ok(sql.skipped.includes('frame_emb_norm') && sql.skipped.includes('transcript_words') && !sql.skipped.includes('country'));
  // The comparison is not vacuous: missing and (other) bins are filled, conditional features count
  // only their rows, and the shifted week moves the country mix.
  const shifted = sql.weeks[8];
  const feat = (name: string) => shifted.features.find((f) => f.name === name)!;
  assert.ok(feat('duration_s').shares.at(-1)! > 0.02, 'missing durations in the trailing bin');
  assert.ok(feat('upload_hour').shares[0] > 0, 'unknown hours (−1) bin below every hour');
  const country = ref.features.find((f) => f.name === 'country')!;
  assert.ok(sql.weeks.some((w) => w.features.find((f) => f.name === 'country')!.shares[country.levels!.indexOf('(other)')] > 0), 'rare countries pool into (other)');
  assert.ok(feat('harm_mix').n < shifted.n / 4 && feat('harm_mix').n > 0, 'harm mix over harmful uploads only');
  assert.ok(feat('country').psi > 0.1, `shifted week country PSI ${feat('country').psi}`);
  assert.ok(sql.weeks[2].features.find((f) => f.name === 'country')!.psi < 0.05);
});

test('a value equal to an edge falls in the bin above it, as numericShares bins it', async () => {
  // Quantile edges sit between distinct values; edges on the values themselves test the boundary.
  const onValues = (name: string, edges: number[]) => {
    const f = ref.features.find((x) => x.name === name)!;
    return { ...f, edges, shares: new Array<number>(edges.length + 2).fill(1 / (edges.length + 2)) };
  };
  const r: DriftReference = { ...ref, features: [onValues('prior_strikes', [0, 1, 2]), onValues('upload_hour', [-1, 6, 12])] };
  const sql = await driftTablesSql(engine, r);
  assertSameAsTypeScript(r, table, sql);
  // 90% of strike counts are 0: with [0, 1) as bin 1, the first bin (below 0) stays empty.
  assert.equal(sql.weeks[0].features[0].shares[0], 0);
  assert.ok(sql.weeks[0].features[0].shares[1] > 0.8);
});

test('rows without an upload time form the undated week, as in the TypeScript report', async () => {
  const t = driftTable();
  for (let i = 0; i < t.n; i += 7) t.uploadTs[i] = NaN;
  await writeVideoTable(join(dir, 'undated', 'videos.parquet'), t);
  const back = await readVideoTable(join(dir, 'undated'));
  await createStoreView(engine, join(dir, 'undated'), { name: 'videos_undated' });
  const sql = await driftTablesSql(engine, ref, { view: 'videos_undated' });
  assert.equal(sql.weeks.at(-1)!.week, 'undated');
  assert.equal(sql.weeks.at(-1)!.n, Math.ceil(t.n / 7));
  assertSameAsTypeScript(ref, back, sql);
});

test('a chosen feature list; bad references are refused naming the feature', async () => {
  const sql = await driftTablesSql(engine, ref, { features: ['harm_mix', 'duration_s'] });
  assert.deepEqual(sql.weeks[0].features.map((f) => f.name), ['harm_mix', 'duration_s']);
  assert.ok(sql.skipped.includes('country'));
  const refused = async (r: DriftReference, field: string, features?: string[]) => assert.rejects(
    () => driftTablesSql(engine, r, features ? { features } : {}),
    (e: unknown) => e instanceof VigilError && e.field === field && e.message.includes(field),
  );
  await refused(ref, 'frame_emb_pc1', ['country', 'frame_emb_pc1']);
  await refused(ref, 'shoe_size', ['shoe_size']);
  await refused({ ...ref, features: [] }, 'features');
  await refused({ ...ref, features: ref.features.filter((f) => f.group === 'visual' && f.name !== 'frame_count') }, 'features');
  const country = ref.features.find((f) => f.name === 'country')!;
  await refused({ ...ref, features: [{ ...country, levels: ['US', 'BR'] }] }, 'country');
  await refused({ ...ref, features: [{ ...country, kind: 'numeric' }] }, 'country');
  const dur = ref.features.find((f) => f.name === 'duration_s')!;
  await refused({ ...ref, features: [{ ...dur, edges: [...dur.edges!].reverse() }] }, 'duration_s');
});

test('the view gives absent columns the contract defaults and holds numbers as the loader does', async () => {
  // A minimal store written by the engine itself: float64 durations, no country/device/frames/audio/tags.
  const path = join(dir, 'minimal', 'videos.parquet');
  mkdirSync(join(dir, 'minimal'));
  await engine.run(`COPY (SELECT * FROM (VALUES ('a', 0, CAST(0.1 AS DOUBLE), CAST(NULL AS DOUBLE)), ('b', 1, CAST(NULL AS DOUBLE), CAST(7 AS DOUBLE)))
    AS v(video_id, harmful, duration_s, upload_hour)) TO '${path}' (FORMAT PARQUET)`);
  await createStoreView(engine, join(dir, 'minimal'), { name: 'videos_minimal' });
  const rows = await engine.query(`SELECT video_id, weight, duration_s, upload_hour, country, device, language, policy_tag,
    frame_count, audio_segments, has_audio, has_transcript FROM videos_minimal ORDER BY row_idx`);
  const loaded = await readVideoTable(join(dir, 'minimal'));
  assert.deepEqual(rows, [
    { video_id: 'a', weight: 1, duration_s: loaded.durationS[0], upload_hour: null, country: 'unknown', device: 'unknown', language: null, policy_tag: null, frame_count: 0, audio_segments: null, has_audio: 0, has_transcript: 0 },
    { video_id: 'b', weight: 1, duration_s: null, upload_hour: 7, country: 'unknown', device: 'unknown', language: null, policy_tag: null, frame_count: 0, audio_segments: null, has_audio: 0, has_transcript: 0 },
  ]);
  assert.notEqual(loaded.durationS[0], 0.1, 'float32, not the stored float64');
  assert.ok(Number.isNaN(loaded.durationS[1]) && loaded.uploadHour[0] === -1);
});
