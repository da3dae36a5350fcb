import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { syntheticTable } from '../fixtures/synthetic.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import { parquetParts } from '../../src/data/arrow.js';
import type { VideoTable } from '../../src/data/table.js';
import { MS_PER_DAY } from '../../src/data/table.js';
import { SqlEngine } from '../../src/store/sqlEngine.js';
import { createStoreView } from '../../src/store/storeView.js';
import { temporalPurgeSql } from '../../src/store/jobs/temporalPurge.js';
import { splitStatsSql } from '../../src/store/jobs/splitStats.js';
import { pointInTimeSql } from '../../src/store/jobs/pointInTime.js';
import { nearDuplicatesSql } from '../../src/store/jobs/lshCandidates.js';
import { splitConfigSchema } from '../../src/split/config.js';
import { temporalSplit } from '../../src/split/temporal.js';
import { auditSplit } from '../../src/split/audit.js';
import { auditPointInTime } from '../../src/split/pointInTime.js';
import { fitFingerprinter, fingerprintTable } from '../../src/split/fingerprint.js';
import { clusterNearDuplicates } from '../../src/split/nearDuplicates.js';
import { leakageGroups } from '../../src/split/groups.js';
import { canonicalGroupIds } from '../../src/split/split.js';
import { TRAIN } from '../../src/split/types.js';

// A small store with everything the jobs look at: downsampled negatives (weight 4), missing
// metadata, empty and present transcripts, planted re-uploads, and a few leaky strike counts.
function storeTable(): VideoTable {
  const { table } = syntheticTable({ n: 1200, days: 63, creators: 120, reuploadRate: 0.15, prevalence: 0.1, seed: 11 });
  for (let i = 0; i < table.n; i++) {
    if (table.harmful[i] === 0 && i % 3 !== 0) table.weight[i] = 4;
    if (i % 17 === 0) table.accountAgeDays[i] = NaN;
    if (i % 13 === 0) table.priorStrikes[i] = NaN;
    table.transcript[i] = i % 5 === 0 ? null : i % 7 === 0 ? '' : `words ${i}`;
    // Leak: a few counts include the upload's own removal.
    if (i % 2 === 0 && table.harmful[i] === 1 && Number.isFinite(table.priorStrikes[i])) table.priorStrikes[i] += 1;
    if (i % 89 === 0 && Number.isFinite(table.accountAgeDays[i])) table.accountAgeDays[i] += 9;
  }
  return table;
}

let dir = '';
let engine: SqlEngine;
let table: VideoTable;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-store-sql-'));
  await writeVideoTable(join(dir, 'videos.parquet'), storeTable(), { partitionBy: 'week', partRows: 100 });
  // The reference is the table as the TypeScript loader reads the store back.
  table = await readVideoTable(dir);
  engine = await SqlEngine.open({ threads: 1 });
  await createStoreView(engine, dir);
});
after(() => { engine?.close(); rmSync(dir, { recursive: true, force: true }); });

test('the store view numbers rows in the order the TypeScript loader reads them', async () => {
  const rows = await engine.query('SELECT row_idx, video_id FROM videos ORDER BY row_idx');
  assert.equal(rows.length, table.n);
  assert.deepEqual(rows.map((r) => r.video_id), table.videoId);
  assert.ok(parquetParts(join(dir, 'videos.parquet')).length > 9, 'several weeks, several parts each');
});

test('SQL candidate-pair self-join gives the same near-duplicate clusters as the TypeScript LSH', async () => {
  const cfg = splitConfigSchema.parse({});
  const fp = fitFingerprinter(table, cfg.nearDup, 3);
  const sigs = fingerprintTable(fp, table);
  for (const nearDup of [cfg.nearDup, { ...cfg.nearDup, bandBits: 8, maxBucket: 6 }]) {
    const ts = clusterNearDuplicates(sigs, table.n, fp.bits, nearDup);
    const sql = await nearDuplicatesSql(engine, sigs, table.n, fp.bits, nearDup);
    assert.deepEqual(Array.from(sql.cluster), Array.from(ts.cluster));
    assert.equal(sql.oversizeBuckets, ts.oversizeBuckets);
    assert.ok(ts.rowsInClusters > 50, `planted re-uploads cluster (${ts.rowsInClusters} rows)`);
  }
  assert.ok((await nearDuplicatesSql(engine, sigs, table.n, fp.bits, { ...cfg.nearDup, bandBits: 8, maxBucket: 6 })).oversizeBuckets > 0, 'the hot-bucket path ran');
});

test('SQL temporal windows + purge and split statistics agree exactly with split/', async () => {
  const fp = fitFingerprinter(table, splitConfigSchema.parse({}).nearDup, 3);
  const clusters = clusterNearDuplicates(fingerprintTable(fp, table), table.n, fp.bits, splitConfigSchema.parse({}).nearDup).cluster;
  for (const over of [{ testWeeks: 2, calibWeeks: 2, purgeDays: 3 }, { testWeeks: 1, calibWeeks: 2, purgeDays: 2, trainWindowWeeks: 3, groupByCreator: true }]) {
    const cfg = splitConfigSchema.parse(over);
    const groups = canonicalGroupIds(table.videoId, leakageGroups(table, clusters, cfg.groupByCreator));
    await engine.createTable('row_groups', [{ name: 'row_idx', type: 'BIGINT', values: Array.from({ length: table.n }, (_, i) => i) }, { name: 'grp', type: 'BIGINT', values: groups }]);
    const ts = temporalSplit(table, groups, cfg);
    const sql = await temporalPurgeSql(engine, cfg);
    assert.deepEqual(sql.windows, ts.windows);
    assert.deepEqual(sql.counts, ts.counts);
    assert.deepEqual(Array.from(sql.split), Array.from(ts.split));
    assert.deepEqual(Array.from(sql.purgeReason), Array.from(ts.purgeReason));
    assert.ok(ts.counts.groupFromTrain + ts.counts.groupFromCalib > 0, 'group purge happened');

    await engine.createTable('row_split', [{ name: 'row_idx', type: 'BIGINT', values: Array.from({ length: table.n }, (_, i) => i) }, { name: 'split', type: 'BIGINT', values: ts.split }]);
    const audit = auditSplit(table, ts.split, groups, clusters, { creatorGrouping: cfg.groupByCreator, coldStartDays: 30 });
    assert.deepEqual(await splitStatsSql(engine, 30), audit.splits);
    assert.ok(audit.splits.train.rows > 0 && audit.splits.train.prevalence > 0 && audit.splits.test.newCreatorShare >= 0);
  }
});

test('SQL point-in-time audit reports exactly what the TypeScript audit reports', async () => {
  const ts = auditPointInTime(table);
  const sql = await pointInTimeSql(engine);
  assert.deepEqual(sql, ts);
  assert.equal(ts.pass, false, 'the planted leaks are found');
  assert.ok(ts.checks.every((c) => c.violations > 0 && c.rowsChecked > 500));
});

test('a time window opens only the week partitions it needs', async () => {
  const videos = join(dir, 'videos.parquet');
  const all = parquetParts(videos);
  const lo = Math.min(...table.uploadTs), from = lo + 21 * MS_PER_DAY, to = from + 14 * MS_PER_DAY;
  const win = await SqlEngine.open({ threads: 1 });
  try {
    const view = await createStoreView(win, dir, { window: { fromMs: from, toMs: to } });
    const weeks = new Set(view.files.map((f) => relative(videos, f).split('/')[0]));
    // A 14-day window starting mid-week touches 3 weeks: only those partitions are opened.
    assert.equal(weeks.size, 3);
    assert.ok(view.files.length < all.length / 2);
    const inWindow = Array.from(table.uploadTs).filter((t) => t >= from && t < to).length;
    assert.equal(view.rows, inWindow);
  } finally { win.close(); }
  // The TypeScript loader prunes the same way.
  const part = await readVideoTable(dir, { window: { fromMs: from, toMs: to } });
  assert.ok(part.n < table.n && part.n >= Array.from(table.uploadTs).filter((t) => t >= from && t < to).length);
  assert.ok(Array.from(part.uploadTs).every((t) => t >= from - 7 * MS_PER_DAY && t < to + 7 * MS_PER_DAY));
  const train = await readVideoTable(dir, { window: { fromMs: -Infinity, toMs: Infinity } });
  assert.equal(train.n, table.n);
  assert.equal(TRAIN, 0);
});
