import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSkipReason, modelPathSecondsPerRow, projectScale, scaleMarkdown, type ScaleSize, type ScaleResult } from '../../src/bench/scale.js';
import { machineInfo } from '../../src/bench/machine.js';
import { VigilError } from '../../src/util/errors.js';

const size = (rows: number, secPerRow: number, loadGiB: number): ScaleSize => ({
  rows, peakRssGiB: loadGiB, storeBytes: rows * 1000,
  seconds: { load: rows * secPerRow, split: rows * secPerRow * 2, sqlAudit: rows * secPerRow / 10, streamSample: rows * secPerRow / 2 },
  peakRssByStage: { load: loadGiB, split: loadGiB, sqlAudit: 0.1, streamSample: 0.2 },
});

test('the cost model: training rows after sampling, bytes, hours on N cores, per-row drift and memory slope', () => {
  const sizes = [size(20_000, 1e-4, 0.3), size(200_000, 1.2e-4, 2.1)];
  const p = projectScale(sizes, { cores: 10, weeklyUploads: 180_000_000, prevalence: 0.0035, trainNegativeKeepRate: 0.03 });
  assert.equal(p.trainingRows, Math.round(630_000 + 0.03 * (180_000_000 - 630_000)));
  assert.equal(p.storeBytes, 180_000_000 * 1000);
  const load = p.stages.find((s) => s.stage === 'load')!;
  assert.equal(load.basis, 'training rows');
  assert.equal(load.rows, p.trainingRows);
  assert.ok(Math.abs(load.hours - p.trainingRows * 1.2e-4 / 10 / 3600) < 1e-9);
  assert.ok(Math.abs(load.perRowDrift - 1.2) < 1e-9);
  const audit = p.stages.find((s) => s.stage === 'sqlAudit')!;
  assert.equal(audit.rows, 180_000_000);
  // Memory per row is the slope between sizes (1.8 GiB over 180k rows), not the fixed runtime base.
  assert.ok(Math.abs(p.inMemoryTrainingGiB - (1.8 / 180_000) * p.trainingRows) < 1e-6);
  assert.throws(() => projectScale([], { cores: 1, weeklyUploads: 1, prevalence: 0.1, trainNegativeKeepRate: 1 }), VigilError);

  const r: ScaleResult = { version: 1, date: '2026-11-30', command: 'vigil bench --scale', machine: machineInfo(), scale: { sizes, projection: p } };
  const json = JSON.parse(JSON.stringify(r));
  assert.deepEqual(Object.keys(json.scale.sizes[0]).filter((k) => ['rows', 'peakRssGiB', 'seconds'].includes(k)).sort(), ['peakRssGiB', 'rows', 'seconds']);
  const md = scaleMarkdown(r);
  assert.match(md, /\| 200,000 \|/);
  assert.match(md, /180M uploads\/week on 10 cores/);
  assert.match(md, /\| load \| training rows \| 6,011,100 \|/);
});

test('the streamed model stages: training throughput counted per training row held, the model path flat-time line', () => {
  const withModel = (rows: number, spr: number): ScaleSize => {
    const s = size(rows, spr, 1);
    s.seconds = { ...s.seconds, train: rows * spr, evaluate: rows * spr * 3, export: 0.5 };
    s.stageRows = { train: rows / 20 };
    return s;
  };
  const sizes = [withModel(20_000, 1e-4), withModel(200_000, 1e-4)];
  const p = projectScale(sizes, { cores: 4, weeklyUploads: 180_000_000, prevalence: 0.0035, trainNegativeKeepRate: 0.03 });
  const train = p.stages.find((s) => s.stage === 'train')!;
  assert.equal(train.basis, 'training rows');
  assert.equal(train.rowsPerSecond, Math.round(10_000 / 20), 'train rows/s counts the training rows held, not the stored rows');
  assert.equal(p.stages.find((s) => s.stage === 'evaluate')!.basis, 'uploads');
  assert.ok(Math.abs(modelPathSecondsPerRow(sizes[1])! - (2e-4 + 1e-4 + 3e-4 + 0.5 / 200_000)) < 1e-12);
  assert.equal(modelPathSecondsPerRow(size(1000, 1e-4, 1)), null, 'no model stages measured');
  const md = scaleMarkdown({ version: 1, date: 'd', command: 'c', machine: machineInfo(), scale: { sizes, projection: p } });
  assert.match(md, /Model path \(split → train → evaluate → export\) seconds per stored row: 20,000 rows [0-9.]+ ms \(1\.00×\), 200,000 rows [0-9.]+ ms \(0\.9\d×\)/);
});

test('the in-memory load is skipped where it would not fit; its projection and memory slope come from the sizes where it ran', () => {
  const small = size(200_000, 1e-4, 2.6), mid = size(600_000, 1e-4, 6.7);
  assert.equal(loadSkipReason([], 2_000_000, 23.5), null, 'nothing measured yet: run it');
  assert.equal(loadSkipReason([small], 600_000, 23.5), null, '7.8 GiB of 23.5: run it');
  const why = loadSkipReason([small, mid], 2_000_000, 23.5)!;
  assert.match(why, /about 22\.3 GiB \(6\.70 GiB at 600,000 rows\)/);
  const big = size(2_000_000, 1e-4, 0);
  delete big.seconds.load; delete big.peakRssByStage.load;
  big.peakRssGiB = 3; big.skipped = { load: why };
  const p = projectScale([small, mid, big], { cores: 16, weeklyUploads: 180_000_000, prevalence: 0.0035, trainNegativeKeepRate: 0.03 });
  const load = p.stages.find((s) => s.stage === 'load')!;
  assert.equal(load.measuredAtRows, 600_000);
  assert.equal(p.stages.find((s) => s.stage === 'split')!.measuredAtRows, 2_000_000);
  assert.ok(Math.abs(p.inMemoryTrainingGiB - (4.1 / 400_000) * p.trainingRows) < 1e-6, 'slope between the sizes where the load ran');
  const md = scaleMarkdown({ version: 1, date: 'd', command: 'c', machine: machineInfo(), scale: { sizes: [small, mid, big], projection: p } });
  assert.match(md, /load at 2,000,000 rows: not run: would need about 22\.3 GiB/);
  assert.match(md, /\| 2,000,000 \| [0-9.]+ \| — \| — \| [0-9.]+ \|/, 'no simulate time in the fixture; the skipped load shows as a dash');
});
