import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { readVideoTable, writeVideoTable, videoTableToArrow } from '../../src/data/parquet.js';
import { writeParquetTable, writeParquetParts, utf8Column, int8Column, timestampMsColumn } from '../../src/data/arrow.js';
import { loadVideoTableCached } from '../../src/data/cache.js';
import { takeRows, concatVideoTables } from '../../src/data/table.js';
import { fitMetaEncoder, encodeMeta, metaDim } from '../../src/features/metaEncoder.js';
import { featuresConfigSchema } from '../../src/features/config.js';
import { VigilError } from '../../src/util/errors.js';
import { makeTable } from '../fixtures/videos.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-optional-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A Parquet file with only the given columns. */
function fileWith(name: string, cols: Record<string, unknown>): string {
  const f = join(dir, name);
  writeParquetTable(f, new Table(cols as never));
  return f;
}

test('a file with only video_id, text and harmful loads with the absent representation of every other column', async () => {
  const f = fileWith('minimal.parquet', {
    video_id: utf8Column(['a', 'b', 'c']),
    transcript: utf8Column(['you are great', null, 'awful words']),
    harmful: int8Column(Int8Array.from([0, 0, 1])),
  });
  const t = await readVideoTable(f);
  assert.equal(t.n, 3);
  assert.deepEqual(t.creatorId, ['a', 'b', 'c'], 'no creator_id: each video is its own creator');
  assert.ok(Array.from(t.uploadTs).every(Number.isNaN));
  assert.ok(Array.from(t.durationS).every(Number.isNaN));
  assert.ok(Array.from(t.accountAgeDays).every(Number.isNaN) && Array.from(t.priorStrikes).every(Number.isNaN));
  assert.deepEqual(t.country, ['unknown', 'unknown', 'unknown']);
  assert.deepEqual(t.device, ['unknown', 'unknown', 'unknown']);
  assert.deepEqual(Array.from(t.uploadHour), [-1, -1, -1]);
  assert.equal(t.frameDim, 0);
  assert.deepEqual(Array.from(t.frameOffsets), [0, 0, 0, 0]);
  assert.equal(t.frameEmb.length, 0);
  assert.equal(t.frameTs.length, 0);
  assert.equal(t.audioDim, 0);
  assert.deepEqual(Array.from(t.hasAudio), [0, 0, 0]);
  assert.deepEqual(Array.from(t.audioOffsets), [0, 0, 0, 0]);
  assert.deepEqual(t.transcript, ['you are great', null, 'awful words']);
  assert.ok(Array.from(t.asrConfidence).every(Number.isNaN));
  assert.deepEqual(t.language, [null, null, null]);
  assert.deepEqual(Array.from(t.weight), [1, 1, 1]);
  assert.ok(t.absentColumns?.includes('frame_emb') && t.absentColumns.includes('upload_ts') && !t.absentColumns.includes('transcript'));

  // Round trip: the writer leaves the absent columns out, so the same columns come back.
  const f2 = join(dir, 'minimal-rt.parquet');
  await writeVideoTable(f2, t);
  const names = videoTableToArrow(t).schema.fields.map((x) => x.name);
  assert.deepEqual(names, ['video_id', 'transcript', 'harmful']);
  assert.deepEqual(await readVideoTable(f2), t);

  // The cache records which columns were absent: a hit equals a fresh read.
  const ds = join(dir, 'ds');
  await writeVideoTable(join(ds, 'videos.parquet'), t);
  const miss = await loadVideoTableCached(ds);
  const hit = await loadVideoTableCached(ds);
  assert.deepEqual(hit.absentColumns, t.absentColumns);
  assert.deepEqual(hit, miss);
  assert.deepEqual(hit, await readVideoTable(ds));
});

test('a complete table round-trips with every column and no absent list', async () => {
  const t = makeTable([{ frames: 2, audio: 1 }, { frames: 1, audio: null }]);
  const f = join(dir, 'full.parquet');
  await writeVideoTable(f, t);
  const back = await readVideoTable(f);
  assert.equal(back.absentColumns, undefined);
  assert.equal(back.frameDim, 4);
  assert.equal(back.audioDim, 3);
});

test('frames without audio and audio without frames both load; a file with frame_emb still needs a frame per row', async () => {
  const full = makeTable([{ frames: 2, audio: 2 }, { frames: 1, audio: null }, { frames: 3, audio: 1 }]);
  const arrow = videoTableToArrow(full);
  const pick = (drop: string[]) => Object.fromEntries(arrow.schema.fields.filter((x) => !drop.includes(x.name)).map((x) => [x.name, arrow.getChild(x.name)]));
  const noAudio = await readVideoTable(fileWith('no-audio.parquet', pick(['audio_emb', 'audio_ts'])));
  assert.equal(noAudio.audioDim, 0);
  assert.deepEqual(Array.from(noAudio.hasAudio), [0, 0, 0]);
  assert.deepEqual(noAudio.frameEmb, full.frameEmb);
  const noFrames = await readVideoTable(fileWith('no-frames.parquet', pick(['frame_emb', 'frame_ts'])));
  assert.equal(noFrames.frameDim, 0);
  assert.deepEqual(noFrames.audioEmb, full.audioEmb);
  assert.deepEqual(Array.from(noFrames.hasAudio), [1, 0, 1]);
  // Subsets and concatenations keep the representation and the absent list.
  const sub = takeRows(noFrames, [2, 0]);
  assert.equal(sub.frameDim, 0);
  assert.deepEqual(Array.from(sub.frameOffsets), [0, 0, 0]);
  assert.deepEqual(sub.absentColumns, noFrames.absentColumns);
  assert.deepEqual(concatVideoTables([sub, sub]).absentColumns, noFrames.absentColumns);
  // One of a pair is an error naming the missing one.
  await assert.rejects(readVideoTable(fileWith('half-pair.parquet', pick(['frame_ts']))),
    (e: unknown) => e instanceof VigilError && e.field === 'frame_ts' && /missing column 'frame_ts' \('frame_emb' is present/.test(e.message));
  // Parts of one dataset: metadata may differ between parts, frames may not.
  const partA = videoTableToArrow(takeRows(full, [0]));
  const partB = videoTableToArrow(takeRows(full, [1]));
  const dropCols = (t: Table, drop: string[]) => t.select(t.schema.fields.map((x) => x.name).filter((n) => !drop.includes(n)));
  const mixedMeta = join(dir, 'mixed-meta.parquet');
  writeParquetParts(mixedMeta, [partA, dropCols(partB, ['country'])]);
  const mm = await readVideoTable(mixedMeta);
  assert.deepEqual(mm.country, [full.country[0], 'unknown']);
  assert.equal(mm.absentColumns, undefined, 'a column present in some part is not absent');
  const mixedFrames = join(dir, 'mixed-frames.parquet');
  writeParquetParts(mixedFrames, [partA, dropCols(partB, ['frame_emb', 'frame_ts'])]);
  await assert.rejects(readVideoTable(mixedFrames), (e: unknown) => e instanceof VigilError && e.field === 'frame_emb' && /absent from row 1 on, but present in earlier rows/.test(e.message));
  // A video without frames in a file that has frames is still an error.
  const oneEmpty = makeTable([{ frames: 1 }, { frames: 0 }]);
  const f = join(dir, 'no-frame-row.parquet');
  await writeVideoTable(f, oneEmpty);
  await assert.rejects(readVideoTable(f), /'frame_emb' at row 1: a video needs at least one frame embedding/);
});

test('null metadata and null upload times load as missing; the writer keeps them as nulls', async () => {
  const t = makeTable([{}, {}, {}]);
  t.uploadHour[1] = -1;
  t.durationS[2] = NaN;
  t.uploadTs[0] = NaN;
  const f = join(dir, 'nulls.parquet');
  await writeVideoTable(f, t);
  const back = await readVideoTable(f);
  assert.deepEqual(Array.from(back.uploadHour), [0, -1, 2]);
  assert.ok(Number.isNaN(back.durationS[2]) && back.durationS[0] === t.durationS[0]);
  assert.ok(Number.isNaN(back.uploadTs[0]) && back.uploadTs[1] === t.uploadTs[1]);
  // Nullable column types written by other tools: null country/device become 'unknown'.
  const arrow = videoTableToArrow(makeTable([{}, {}]));
  const cols = Object.fromEntries(arrow.schema.fields.map((x) => [x.name, arrow.getChild(x.name)]));
  cols.country = utf8Column(['US', null]);
  cols.upload_ts = timestampMsColumn(Float64Array.from([Date.UTC(2026, 0, 1), NaN]));
  const r = await readVideoTable(fileWith('null-country.parquet', cols));
  assert.deepEqual(r.country, ['US', 'unknown']);
  assert.ok(Number.isNaN(r.uploadTs[1]));
});

test('the metadata encoder treats NaN and hour -1 as missing, adding an hour indicator only when needed', () => {
  const cfg = featuresConfigSchema.parse({});
  const t = makeTable([{}, {}, {}]);
  const complete = fitMetaEncoder(t, [0, 1, 2], cfg);
  assert.ok(!complete.names.includes('missing_upload_hour'), 'datasets with every hour keep their layout');
  t.uploadHour[1] = -1;
  t.durationS[1] = NaN;
  const enc = fitMetaEncoder(t, [0, 1, 2], cfg);
  assert.equal(enc.names[enc.names.length - 1], 'missing_upload_hour');
  const out = new Float32Array(metaDim(enc));
  encodeMeta(enc, t, 1, out, 0);
  const v = Object.fromEntries(enc.names.map((n, j) => [n, out[j]]));
  assert.equal(v.upload_hour_sin, 0);
  assert.equal(v.upload_hour_cos, 0);
  assert.equal(v.missing_upload_hour, 1);
  assert.equal(v.missing_durationS, 1);
  assert.equal(v.log1p_durationS, 0);
  encodeMeta(enc, t, 0, out, 0);
  assert.equal(out[enc.names.indexOf('missing_upload_hour')], 0);
  assert.equal(out[enc.names.indexOf('upload_hour_cos')], 1); // hour 0
});
