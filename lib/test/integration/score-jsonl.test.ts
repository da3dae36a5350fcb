import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { scoreJsonl, readLines } from '../../src/serve/jsonl.js';
import { scoreStore } from '../../src/serve/scoreStore.js';
import { parseVideo, videosToTable } from '../../src/serve/request.js';
import { readVideoTable, writeVideoTable } from '../../src/data/parquet.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';
import { openAtomicWriter } from '../../src/util/atomic.js';
import { makeTable } from '../fixtures/videos.js';
import { runCli } from '../helpers/runCli.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

const loadPreprocessor = () => testPreprocessor(TEST_CONFIG);

test('lines are read as bytes: LF, CRLF, a final line without newline, empty lines kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
  try {
    const f = join(dir, 'a.txt');
    writeFileSync(f, 'a\r\n\nb\n  \nc');
    const got: string[] = [];
    for await (const l of readLines(f)) got.push(l.toString());
    assert.deepEqual(got, ['a', '', 'b', '  ', 'c']);
    writeFileSync(f, 'x\n');
    const one: string[] = [];
    for await (const l of readLines(f)) one.push(l.toString());
    assert.deepEqual(one, ['x']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('1,000 lines with 30% bad ones (blank, whitespace, broken JSON, bad UTF-8, out of range): one output line per input line, right line numbers', async () => {
  const run = makeRunFolder({ seed: 11 });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    const rng = createRng(7);
    const parts: Buffer[] = [];
    const expectBad: (string | null)[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = rng.next();
      let line: Buffer, field: string | null = null;
      if (r < 0.06) { line = Buffer.from(''); field = 'line'; }
      else if (r < 0.12) { line = Buffer.from(' \t '); field = 'line'; }
      else if (r < 0.18) { line = Buffer.from('{"video_id": '); field = 'body'; }
      else if (r < 0.24) { line = Buffer.from(JSON.stringify({ ...validRequest(i), video_id: `v${i}-XX` })); line[line.indexOf('XX')] = 0xc3; line[line.indexOf('X', line.indexOf(0xc3))] = 0x28; field = 'video_id'; }
      else if (r < 0.30) { line = Buffer.from(JSON.stringify({ ...validRequest(i), duration_s: 1e308 })); field = 'duration_s'; }
      else line = Buffer.from(JSON.stringify({ ...validRequest(i), video_id: `ok${i}` }));
      parts.push(line, Buffer.from(rng.next() < 0.3 ? '\r\n' : '\n'));
      expectBad.push(field);
    }
    const inPath = join(run.dir, 'in.jsonl');
    writeFileSync(inPath, Buffer.concat(parts));
    const out: string[] = [];
    const s = await scoreJsonl(scorer, inPath, (l) => { out.push(l); }, { batchSize: 16 });
    assert.equal(out.length, 1000);
    assert.equal(s.lines, 1000);
    const nBad = expectBad.filter((x) => x !== null).length;
    assert.ok(nBad > 250 && nBad < 350, String(nBad));
    assert.deepEqual([s.errors, s.scored], [nBad, 1000 - nBad]);
    out.forEach((text, i) => {
      const rec = JSON.parse(text);
      if (expectBad[i] === null) {
        assert.equal(rec.video_id, `ok${i}`, `line ${i + 1}`);
        assert.ok(rec.risk_score >= 0 && rec.risk_score <= 1);
      } else {
        assert.equal(rec.line, i + 1, `record ${i} names line ${rec.line}`);
        assert.equal(rec.field, expectBad[i], `line ${i + 1}: ${rec.error}`);
      }
    });
    await scorer.close();
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('vigil score: a missing input file is a clear error and leaves no output file; output appears whole', async () => {
  const run = makeRunFolder({ seed: 12 });
  try {
    const outPath = join(run.dir, 'out', 'scores.jsonl');
    const missing = join(run.dir, 'nope.jsonl');
    const r = await runCli(['score', '--run', run.dir, missing, outPath]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /input file '.*nope\.jsonl' does not exist/);
    assert.doesNotMatch(r.err, /ENOENT|at .*\(/);
    assert.equal(existsSync(outPath), false);
    // A directory as input: also refused before anything is written.
    const r2 = await runCli(['score', '--run', run.dir, run.dir, outPath]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.err, /is not a file/);
    assert.equal(existsSync(outPath), false);
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});

test('the atomic writer: nothing under the final name until commit; abort leaves nothing at all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-aw-'));
  try {
    const path = join(dir, 'sub', 'scores.jsonl');
    const w = openAtomicWriter(path);
    for (let i = 0; i < 1000; i++) await w.write(`{"i":${i}}\n`);
    assert.equal(existsSync(path), false);
    await w.commit();
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 1001);
    const w2 = openAtomicWriter(join(dir, 'sub', 'other.jsonl'));
    await w2.write('partial');
    await w2.abort();
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['scores.jsonl']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a Parquet file with a corrupted data page → VigilError naming the file and row group (no wasm trap)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pqc-'));
  try {
    const t = makeTable(Array.from({ length: 50 }, (_, i) => ({ frames: 3, audio: 2, harmful: (i % 2) as 0 | 1 })));
    const ok = join(dir, 'ok.parquet');
    await writeVideoTable(ok, t);
    const bytes = readFileSync(ok);
    const bad = Buffer.from(bytes);
    // Flip 16 bytes a tenth of the way in: inside the first column chunk's data pages.
    const at = Math.floor(bytes.length * 0.1);
    for (let k = 0; k < 16; k++) bad[at + k] ^= 0xff;
    const badPath = join(dir, 'videos.parquet');
    writeFileSync(badPath, bad);
    await assert.rejects(readVideoTable(badPath), (e: unknown) => {
      assert.ok(e instanceof VigilError, String(e));
      assert.match(e.message, /videos\.parquet' is corrupt: row group 0 of 1 \(rows 0–49 of the file\)/);
      return true;
    });
    // The reader still works afterwards.
    assert.equal((await readVideoTable(ok)).n, 50);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('vigil score --dataset: a partitioned store scored row group by row group, each row validated as a request; records in store order', async () => {
  const run = makeRunFolder({ seed: 13 });
  try {
    const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor });
    const videos = Array.from({ length: 200 }, (_, i) => {
      const v = parseVideo({ ...validRequest(i + 1), video_id: `s${i}`, upload_ts: Date.UTC(2026, 5, 1 + (i % 20), 14) }, scorer.limits);
      assert.ok(v.ok);
      return v.value;
    });
    // Two rows the store holds but a request may not carry: more frames than a request accepts, a creator id over 256 characters.
    const many = scorer.limits.maxItems + 1;
    videos[17] = { ...videos[17], frameTs: Float32Array.from({ length: many }, (_, k) => k), frameEmb: new Float32Array(many * TEST_CONFIG.frameDim).fill(0.5) };
    videos[40] = { ...videos[40], creatorId: 'c'.repeat(300) };
    const table = videosToTable(videos, { frameDim: TEST_CONFIG.frameDim, audioDim: TEST_CONFIG.audioDim });
    const store = join(run.dir, 'store');
    await writeVideoTable(join(store, 'videos.parquet'), table, { partitionBy: 'week', partRows: 32 });
    const stored = await readVideoTable(store);
    const out: string[] = [];
    const s = await scoreStore(scorer, store, (l) => { out.push(l); }, { batchSize: 16, batchRows: 20 });
    assert.equal(out.length, 200);
    assert.equal(s.rows, 200);
    assert.ok(s.maxChunkRows <= 20, `one decoded batch at a time (${s.maxChunkRows})`);
    const recs = out.map((l) => JSON.parse(l));
    assert.deepEqual(recs.map((r) => r.video_id), stored.videoId, 'one record per stored row, in store order');
    const bad = recs.flatMap((r, k) => ('error' in r ? [{ k, ...r }] : []));
    assert.deepEqual(bad.map((b) => [stored.videoId[b.k], b.row, b.field]).sort(),
      [['s17', stored.videoId.indexOf('s17'), 'frame_emb'], ['s40', stored.videoId.indexOf('s40'), 'creator_id']].sort());
    assert.deepEqual([s.errors, s.scored], [2, 198]);
    // The same rows sent as requests get the same scores.
    const direct = await scorer.scoreVideos(stored.videoId.flatMap((id, i) => (id === 's17' || id === 's40' ? [] : [videos[Number(id.slice(1))]])));
    assert.deepEqual(recs.filter((r) => !('error' in r)).map((r) => r.risk_score), direct.map((r) => r.risk_score));
    await scorer.close();

    // The CLI refuses a missing store before loading anything or writing the output.
    const missing = await runCli(['score', '--run', run.dir, '--dataset', join(run.dir, 'nope'), join(run.dir, 'x.jsonl')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /dataset '.*nope' does not exist/);
    assert.equal(existsSync(join(run.dir, 'x.jsonl')), false);
  } finally { rmSync(run.dir, { recursive: true, force: true }); }
});
