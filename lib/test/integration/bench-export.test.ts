import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { pooledFeatures, pooledDim } from '../../src/features/pooled.js';
import { exportPooledFeatures, readFeatureExport, readFloat32LE } from '../../src/bench/featureExport.js';
import { audioMaxPooled } from '../../src/bench/audioMax.js';
import { peersDir } from '../../src/bench/peers.js';
import { VigilError } from '../../src/util/errors.js';
import { handTable, type HandRow } from '../fixtures/handTable.js';
import { DEBIAN_PYTHON } from '../helpers.js';

const base: HandRow = { country: 'US', device: 'ios', age: 100, strikes: 0, dur: 10, hour: 6, frames: [[0, 0]], audio: [[1, 1]],
  transcript: 'hello there', asr: 0.9, language: 'en', harmful: 0 };
const rows: HandRow[] = [
  { ...base, frames: [[1, 2], [3, 4]], audio: [[1, 0]] },
  { ...base, country: 'BR', age: NaN, strikes: NaN, frames: [[5, 6]], audio: null, transcript: null, asr: NaN, language: null, harmful: 1 },
  { ...base, device: 'web', age: 5, strikes: 3, hour: 0, frames: [[7, 8], [9, 10], [11, 12]], audio: [[3, 0], [5, 2]], transcript: 'fight now' },
  { ...base, frames: [[-1, 0.333333]], audio: [[0.1, 0.2]], transcript: 'watch this clip', harmful: 1 },
  { ...base, country: 'DE', frames: [[2, -2], [1e-7, 3e5]], audio: null, transcript: 'guten tag', language: 'de' },
];
const cfg = featuresConfigSchema.parse({ minLevelCount: 1, textBuckets: 32, coldStartDays: 30 });

/** What the export must hold for `rs`: pooledFeatures, then the max-pooled audio, row by row. */
function expected(fitted: ReturnType<typeof fitPreprocessor>, t: ReturnType<typeof handTable>, rs: number[]): { d: number; X: number[] } {
  const m = pooledFeatures(fitted, t, rs), a = audioMaxPooled(fitted, t, rs), da = fitted.dims.audio;
  const X: number[] = [];
  for (let b = 0; b < rs.length; b++) X.push(...m.X.subarray(b * m.d, (b + 1) * m.d), ...a.subarray(b * da, (b + 1) * da));
  return { d: m.d + da, X };
}

function setup() {
  const t = handTable(rows);
  t.weight[1] = 1; t.weight[0] = 6.5; t.weight[4] = 4;
  const fitted = fitPreprocessor(t, [0, 1, 2], cfg);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-export-'));
  const parts = { train: [0, 1, 2], calib: [3], test: [4, 2] };
  const header = exportPooledFeatures(dir, fitted, t, { parts, groupIds: [10, 11, 12, 13, 14], chunkRows: 2 });
  return { t, fitted, dir, parts, header };
}

test('export: the float32 files hold exactly pooledFeatures + max-pooled audio, row-major, in part order (chunked writes)', () => {
  const { t, fitted, dir, parts, header } = setup();
  try {
    const d = pooledDim(fitted) + fitted.dims.audio;
    assert.equal(header.d, d);
    assert.equal(header.columns.length, d);
    assert.deepEqual(header.columns.slice(-2), ['audio_max_0', 'audio_max_1']);
    assert.equal(readFileSync(join(dir, 'train.f32')).length, 3 * d * 4);
    const back = readFeatureExport(dir);
    for (const [name, rs] of Object.entries(parts)) {
      assert.deepEqual(Array.from(back.X[name]), expected(fitted, t, rs).X, name);
      assert.equal(back.header.parts[name].rows, rs.length);
    }
    assert.deepEqual(back.header.parts.train.labels, [0, 1, 0]);
    assert.deepEqual(back.header.parts.train.weights, [6.5, 1, 1]);
    assert.deepEqual(back.header.parts.test.group_ids, [14, 12]);
    assert.deepEqual(back.header.parts.test.video_ids, ['h4', 'h2']);
    // Little-endian on disk whatever the host: byte-level check of the first value.
    const raw = readFileSync(join(dir, 'calib.f32'));
    assert.equal(raw.readFloatLE(0), pooledFeatures(fitted, t, [3]).X[0]);
    assert.deepEqual(Array.from(readFloat32LE(join(dir, 'calib.f32'))), Array.from(back.X.calib));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('export: numpy reads the same values through the peers\' reader', (tc) => {
  if (!existsSync(DEBIAN_PYTHON) || spawnSync(DEBIAN_PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0) {
    tc.skip('numpy not found under /usr/bin/python3 (apt-get install -y python3-numpy)');
    return;
  }
  const { t, fitted, dir, parts } = setup();
  try {
    const py = [
      'import json, sys', `sys.path.insert(0, ${JSON.stringify(peersDir())})`, 'from _common import load_export',
      'h, parts = load_export(sys.argv[1])',
      'print(json.dumps({k: {"X": [[float(x) for x in row] for row in p["X"]], "y": p["y"].tolist(), "w": p["w"].tolist(), "g": p["groups"].tolist(), "shape": list(p["X"].shape)} for k, p in parts.items()}))',
    ].join('\n');
    const r = spawnSync(DEBIAN_PYTHON, ['-c', py, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, { X: number[][]; y: number[]; w: number[]; g: number[]; shape: number[] }>;
    for (const [name, rs] of Object.entries(parts)) {
      const m = expected(fitted, t, rs);
      assert.deepEqual(got[name].shape, [rs.length, m.d]);
      // float32 → Python float is exact, so equality is exact.
      assert.deepEqual(got[name].X.flat(), m.X, name);
      assert.deepEqual(got[name].y, rs.map((i) => t.harmful[i]));
      assert.deepEqual(got[name].w, rs.map((i) => t.weight[i]));
      assert.deepEqual(got[name].g, rs.map((i) => 10 + i));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('max-pooled audio: per-dimension max of the standardised segments; 0 without audio; equals the mean for one segment', () => {
  const t = handTable(rows);
  const fitted = fitPreprocessor(t, [0, 1, 2], cfg);
  const { mean, std } = fitted.audio;
  const a = audioMaxPooled(fitted, t, [2, 1, 0]);
  const z = (x: number, j: number) => Math.fround((x - mean[j]) / std[j]);
  // row 2: segments [3, 0] and [5, 2] → max per dimension is the second segment
  assert.deepEqual(Array.from(a.subarray(0, 2)), [z(5, 0), z(2, 1)]);
  assert.deepEqual(Array.from(a.subarray(2, 4)), [0, 0], 'no audio → 0, like the mean columns');
  // one segment: max = mean, so the new columns repeat the exported audio_mean columns
  const m = pooledFeatures(fitted, t, [0]);
  const meanAt = m.names.indexOf('audio_mean_0');
  assert.deepEqual(Array.from(a.subarray(4, 6)), Array.from(m.X.subarray(meanAt, meanAt + 2)));
  // a sequence below the training mean keeps its negative maximum, not a 0 floor
  assert.equal(a[4], z(1, 0));
  assert.ok(a[4] < 0);
});

test('export: bad requests name the field', () => {
  const t = handTable(rows);
  const fitted = fitPreprocessor(t, [0, 1, 2], cfg);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-export-'));
  try {
    assert.throws(() => exportPooledFeatures(dir, fitted, t, { parts: { train: [0] }, groupIds: [1, 2] }),
      (e: unknown) => e instanceof VigilError && e.field === 'groupIds' && /2 entries but the table has 5/.test(e.message));
    assert.throws(() => exportPooledFeatures(dir, fitted, t, { parts: { test: [0, 9] }, groupIds: [0, 0, 0, 0, 0] }),
      (e: unknown) => e instanceof VigilError && e.field === 'parts.test' && /row 1 is 9/.test(e.message));
    assert.throws(() => exportPooledFeatures(dir, fitted, t, { parts: { 'Bad/Name': [0] }, groupIds: [0, 0, 0, 0, 0] }),
      (e: unknown) => e instanceof VigilError && e.field === 'parts');
    assert.throws(() => readFeatureExport(join(dir, 'nope')), (e: unknown) => e instanceof VigilError && e.field === 'header.json');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
