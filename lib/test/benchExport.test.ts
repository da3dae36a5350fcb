import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPreprocessor } from '../src/features/preprocess.js';
import { featuresConfigSchema } from '../src/features/config.js';
import { pooledFeatures, pooledDim } from '../src/features/pooled.js';
import { exportPooledFeatures, readFeatureExport, readFloat32LE } from '../src/bench/featureExport.js';
import { peersDir } from '../src/bench/peers.js';
import { VigilError } from '../src/util/errors.js';
import { handTable, type HandRow } from './fixtures/handTable.js';
import { DEBIAN_PYTHON } from './helpers.js';

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

function setup() {
  const t = handTable(rows);
  t.weight[1] = 1; t.weight[0] = 6.5; t.weight[4] = 4;
  const fitted = fitPreprocessor(t, [0, 1, 2], cfg);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-export-'));
  const parts = { train: [0, 1, 2], calib: [3], test: [4, 2] };
  const header = exportPooledFeatures(dir, fitted, t, { parts, groupIds: [10, 11, 12, 13, 14], chunkRows: 2 });
  return { t, fitted, dir, parts, header };
}

test('export: the float32 files hold exactly pooledFeatures, row-major, in part order (chunked writes)', () => {
  const { t, fitted, dir, parts, header } = setup();
  try {
    const d = pooledDim(fitted);
    assert.equal(header.d, d);
    assert.equal(header.columns.length, d);
    assert.equal(readFileSync(join(dir, 'train.f32')).length, 3 * d * 4);
    const back = readFeatureExport(dir);
    for (const [name, rs] of Object.entries(parts)) {
      assert.deepEqual(Array.from(back.X[name]), Array.from(pooledFeatures(fitted, t, rs).X), name);
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
      const m = pooledFeatures(fitted, t, rs);
      assert.deepEqual(got[name].shape, [rs.length, m.d]);
      // float32 → Python float is exact, so equality is exact.
      assert.deepEqual(got[name].X.flat(), Array.from(m.X), name);
      assert.deepEqual(got[name].y, rs.map((i) => t.harmful[i]));
      assert.deepEqual(got[name].w, rs.map((i) => t.weight[i]));
      assert.deepEqual(got[name].g, rs.map((i) => 10 + i));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
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
