import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, vectorFromArray, Float32, Field, List } from 'apache-arrow';
import { readVideoTable, writeVideoTable, videoTableToArrow, scanVideoBatches, writeTruthTable, readTruthTable } from '../../src/data/parquet.js';
import { writeParquetTable, listEmbeddingColumn, float32Column } from '../../src/data/arrow.js';
import { VigilError } from '../../src/util/errors.js';
import { makeTable } from '../fixtures/videos.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pq-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const table = makeTable([
  { frames: 3, audio: 2, harmful: 1, strikes: 2 },
  { frames: 1, audio: null, transcript: null, age: null, strikes: null },
  { frames: 5, audio: 4, transcript: 'olá mundo', harmful: 0 },
]);

test('VideoTable round-trips through Parquet exactly', async () => {
  const f = join(dir, 'rt.parquet');
  await writeVideoTable(f, table);
  const back = await readVideoTable(f);
  assert.equal(back.n, 3);
  assert.deepEqual(back.videoId, table.videoId);
  assert.deepEqual(Array.from(back.uploadTs), Array.from(table.uploadTs));
  assert.deepEqual(back.frameEmb, table.frameEmb);
  assert.deepEqual(back.audioEmb, table.audioEmb);
  assert.deepEqual(Array.from(back.frameOffsets), [0, 3, 4, 9]);
  assert.deepEqual(Array.from(back.audioOffsets), [0, 2, 2, 6]);
  assert.deepEqual(Array.from(back.hasAudio), [1, 0, 1]);
  assert.equal(back.frameDim, 4);
  assert.equal(back.audioDim, 3);
  assert.ok(Number.isNaN(back.accountAgeDays[1]) && Number.isNaN(back.priorStrikes[1]));
  assert.equal(back.priorStrikes[0], 2);
  assert.deepEqual(back.transcript, ['hello world', null, 'olá mundo']);
  assert.deepEqual(back.policyTags, [['graphic_violence'], [], []]);
  assert.deepEqual(Array.from(back.harmful), [1, 0, 0]);
});

test('large tables are written as a folder of parts and read back whole', async () => {
  const f = join(dir, 'parts.parquet');
  await writeVideoTable(f, table, { partRows: 2 });
  const back = await readVideoTable(f);
  assert.deepEqual(back.videoId, table.videoId);
  assert.deepEqual(back.frameEmb, table.frameEmb);
  let chunks = 0, rows = 0;
  await scanVideoBatches(f, (c) => { chunks++; rows += c.n; }, { batchSize: 1 });
  assert.equal(rows, 3);
  assert.ok(chunks >= 2);
});

function withColumn(name: string, vec: ReturnType<typeof float32Column> | null): string {
  const t = videoTableToArrow(table);
  const cols: Record<string, unknown> = {};
  for (const f of t.schema.fields) if (f.name !== name) cols[f.name] = t.getChild(f.name);
  if (vec) cols[name] = vec;
  const f = join(dir, `bad-${name}-${Math.random().toString(36).slice(2)}.parquet`);
  writeParquetTable(f, new Table(cols as never));
  return f;
}

const rejects = async (file: string, re: RegExp) => {
  await assert.rejects(readVideoTable(file), (e: unknown) => e instanceof VigilError && re.test(e.message), `expected ${re}`);
};

test('a missing column is named', async () => {
  await rejects(withColumn('frame_emb', null), /missing column 'frame_emb'/);
});

test('a wrong type is named with what was expected', async () => {
  await rejects(withColumn('country', vectorFromArray([1, 2, 3], new Float32()) as never), /column 'country' has type .*expected utf8/);
});

test('a ragged embedding names the column and row', async () => {
  // Spark-style list<list<float>> with one short embedding in row 1.
  const emb = vectorFromArray([[[1, 2, 3, 4]], [[1, 2, 3]], [[1, 2, 3, 4]]], new List(new Field('item', new List(new Field('item', new Float32())))));
  const ts = vectorFromArray([[0], [0], [0]], new List(new Field('item', new Float32())));
  const t = videoTableToArrow(table);
  const cols: Record<string, unknown> = {};
  for (const f of t.schema.fields) cols[f.name] = t.getChild(f.name);
  cols.frame_emb = emb; cols.frame_ts = ts;
  const f = join(dir, 'ragged.parquet');
  writeParquetTable(f, new Table(cols as never));
  await rejects(f, /'frame_emb' at row 1: ragged embedding: embedding 0 has 3 values, expected 4/);
});

test('NaN in an embedding names the column and row', async () => {
  const bad = makeTable([{ frames: 1 }, { frames: 2 }]);
  bad.frameEmb[5] = NaN; // row 1, frame 0, dim 1
  const vec = listEmbeddingColumn(bad.frameOffsets, bad.frameEmb, 4);
  const t = videoTableToArrow(bad);
  const cols: Record<string, unknown> = {};
  for (const fld of t.schema.fields) cols[fld.name] = t.getChild(fld.name);
  cols.frame_emb = vec;
  const f = join(dir, 'nan.parquet');
  writeParquetTable(f, new Table(cols as never));
  await rejects(f, /'frame_emb' at row 1: NaN\/Inf in embedding 0/);
});

test('a label outside {0,1} names the row', async () => {
  const bad = makeTable([{}, {}, {}]);
  bad.harmful[2] = 2;
  const f = join(dir, 'label.parquet');
  await writeVideoTable(f, bad);
  await rejects(f, /'harmful' at row 2: label must be 0 or 1, got 2/);
});

test('duplicate ids, bad hours and unreadable files are clear errors', async () => {
  const dup = makeTable([{ id: 'a' }, { id: 'a' }]);
  const f1 = join(dir, 'dup.parquet');
  await writeVideoTable(f1, dup);
  await rejects(f1, /'video_id' at row 1: duplicate id 'a'/);
  const hr = makeTable([{}, {}]);
  hr.uploadHour[1] = 24;
  const f2 = join(dir, 'hour.parquet');
  await writeVideoTable(f2, hr);
  await rejects(f2, /'upload_hour' at row 1/);
  const f3 = join(dir, 'junk.parquet');
  writeFileSync(f3, 'not parquet');
  await rejects(f3, /not a readable Parquet file/);
  await rejects(join(dir, 'nope'), /does not exist/);
});

test('unlabelled data loads when labels are not required', async () => {
  const f = withColumn('harmful', null);
  await rejects(f, /missing column 'harmful'/);
  const t = await readVideoTable(f, { requireLabels: false });
  assert.deepEqual(Array.from(t.harmful), [-1, -1, -1]);
});

test('truth table round-trips', async () => {
  const f = join(dir, 'truth.parquet');
  await writeTruthTable(f, { n: 2, videoId: ['a', 'b'], trueHarmful: Int8Array.from([1, 0]), category: ['self_harm', 'none'], oracleP: Float64Array.from([0.9, 0.001]), reuploadOf: [null, 'a'] });
  const t = await readTruthTable(f);
  assert.deepEqual(t.videoId, ['a', 'b']);
  assert.deepEqual(Array.from(t.oracleP), [0.9, 0.001]);
  assert.deepEqual(t.reuploadOf, [null, 'a']);
});

