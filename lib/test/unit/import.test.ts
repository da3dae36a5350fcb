import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseCsvRecords } from '../../src/data/csv.js';
import { importLabelledTable, importToDataset, parseTime } from '../../src/data/import.js';
import { readVideoTable } from '../../src/data/parquet.js';
import { main } from '../../src/cli/main.js';
import { VigilError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-import-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };
const vigilError = (re: RegExp, field?: string, row?: number) => (e: unknown) =>
  e instanceof VigilError && re.test(e.message) && (field === undefined || e.field === field) && (row === undefined || e.row === row);

test('CSV: quoted commas, doubled quotes, line breaks inside quotes, CRLF, BOM, blank lines', () => {
  const text = '\uFEFFid,text,label\r\n' +
    '1,"hello, world",0\r\n' +
    '2,"she said ""no""",1\r\n' +
    '\r\n' +
    '3,"two\nlines, and ""quotes""",0\n' +
    '4,plain text with a \'single\' and a "bare" quote,1\n' +
    '5,,0';
  const t = parseCsv(text, 'x.csv');
  assert.deepEqual(t.header, ['id', 'text', 'label']);
  assert.deepEqual(t.rows.map((r) => r.fields[1]), ['hello, world', 'she said "no"', 'two\nlines, and "quotes"', 'plain text with a \'single\' and a "bare" quote', '']);
  // Line numbers are where each record starts (the quoted line break moves record 4 to line 7).
  assert.deepEqual(t.rows.map((r) => r.line), [2, 3, 5, 7, 8]);
  assert.deepEqual(parseCsvRecords('a,b,\n').map((r) => r.fields), [['a', 'b', '']]);
  assert.deepEqual(parseCsvRecords('"a"\r"b"').map((r) => r.fields), [['a'], ['b']]);
});

test('CSV errors name the line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n2,3\n', 'f.csv'), vigilError(/f\.csv line 2: a quoted field is never closed/, 'csv', 2));
  assert.throws(() => parseCsv('a,b\n1,"x"y\n', 'f.csv'), vigilError(/line 2: unexpected text after a closing quote in field 2/));
  assert.throws(() => parseCsv('a,b\n1,2\n1,2,3\n', 'f.csv'), vigilError(/line 3: 3 fields, but the header has 2/));
  assert.throws(() => parseCsv('a,a\n1,2\n', 'f.csv'), vigilError(/column name 'a' appears twice/));
  assert.throws(() => parseCsv('', 'f.csv'), /empty/);
});

test('times: ISO dates and date-times (UTC without a zone), epoch seconds and milliseconds', () => {
  assert.equal(parseTime('2024-03-01'), Date.UTC(2024, 2, 1));
  assert.equal(parseTime('2024-03-01 14:05'), Date.UTC(2024, 2, 1, 14, 5));
  assert.equal(parseTime('2024-03-01T14:05:09.5Z'), Date.UTC(2024, 2, 1, 14, 5, 9, 500));
  assert.equal(parseTime('2024-03-01T14:05:00+0200'), Date.UTC(2024, 2, 1, 12, 5));
  assert.equal(parseTime('1709301900'), 1709301900 * 1000);
  assert.equal(parseTime(1709301900123), 1709301900123);
  for (const bad of ['yesterday', '03/01/2024', '2024-13-45', '', null, true]) assert.equal(parseTime(bad as never), null, String(bad));
});

const tricky = [
  'post_id,author,created,body,verdict',
  'p1,ann,2024-01-01T10:00:00Z,"Hello, ""friend""",ok',
  'p2,bob,2024-01-02,"multi',
  'line, with commas",abuse',
  'p3,,2024-01-03 08:30,plain,ok',
  'p4,ann,1704326400,"",threat',
].join('\n') + '\n';

test('import: a categorical label with --positive, ids, times, groups and empty texts', () => {
  const f = write('tricky.csv', tricky);
  const { table: t, record } = importLabelledTable(f, { text: 'body', label: 'verdict', id: 'post_id', time: 'created', group: 'author', positive: ['abuse', 'threat'] });
  assert.equal(t.n, 4);
  assert.deepEqual(t.videoId, ['p1', 'p2', 'p3', 'p4']);
  assert.deepEqual(Array.from(t.harmful), [0, 1, 0, 1]);
  assert.deepEqual(t.transcript, ['Hello, "friend"', 'multi\nline, with commas', 'plain', null]);
  assert.deepEqual(t.creatorId, ['ann', 'bob', 'p3', 'ann'], 'an empty group makes the row its own group');
  assert.deepEqual(Array.from(t.uploadTs), [Date.UTC(2024, 0, 1, 10), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3, 8, 30), 1704326400000]);
  assert.deepEqual(Array.from(t.uploadHour), [10, 0, 8, 0]);
  assert.equal(t.frameDim, 0);
  assert.equal(t.audioDim, 0);
  assert.deepEqual(Array.from(t.frameOffsets), [0, 0, 0, 0, 0]);
  assert.deepEqual(t.country, ['unknown', 'unknown', 'unknown', 'unknown']);
  assert.ok(!t.absentColumns!.includes('upload_ts') && t.absentColumns!.includes('frame_emb'));
  assert.equal(record.positives, 2);
  assert.equal(record.emptyText, 1);
  assert.equal(record.emptyGroup, 1);
  assert.equal(record.time, true);
  assert.deepEqual(record.labelValues, { ok: 2, abuse: 1, threat: 1 });
});

test('import errors name the line and column', () => {
  const f = write('tricky2.csv', tricky);
  const opts = { text: 'body', label: 'verdict', id: 'post_id' };
  assert.throws(() => importLabelledTable(f, opts), vigilError(/tricky2\.csv line 2, column 'verdict': label 'ok' is not 0\/1 or true\/false.*--positive/, 'verdict', 2));
  assert.throws(() => importLabelledTable(f, { ...opts, label: 'klass' }), vigilError(/--label: .* has no column 'klass'; its columns are 'post_id', 'author', 'created', 'body', 'verdict'/, 'klass'));
  assert.throws(() => importLabelledTable(f, { ...opts, positive: ['abuse', 'spam'] }), vigilError(/--positive: column 'verdict' never has the value 'spam'; values present: 'ok', 'abuse', 'threat'/));
  assert.throws(() => importLabelledTable(f, { ...opts, positive: ['abuse'], id: 'author' }), vigilError(/line 5, column 'author': the id is empty/));
  const dup = write('dup.csv', 'id,t,y\na,x,0\nb,y,1\na,z,0\n');
  assert.throws(() => importLabelledTable(dup, { text: 't', label: 'y', id: 'id' }), vigilError(/dup\.csv line 4, column 'id': duplicate id 'a' \(first on line 2\)/, 'id', 4));
  const badTime = write('time.csv', 't,y,when\nx,0,2024-01-01\ny,1,last tuesday\n');
  assert.throws(() => importLabelledTable(badTime, { text: 't', label: 'y', time: 'when' }), vigilError(/line 3, column 'when': cannot read time 'last tuesday'/, 'when', 3));
  const emptyLabel = write('empty.csv', 't,y\nx,\n');
  assert.throws(() => importLabelledTable(emptyLabel, { text: 't', label: 'y' }), vigilError(/line 2, column 'y': the label is empty/));
  assert.throws(() => importLabelledTable(write('x.tsv', 'a\tb\n'), { text: 'a', label: 'b' }), /expected \.csv or \.jsonl/);
});

test('import JSON Lines: booleans and numbers, missing keys, bad lines', () => {
  const f = write('posts.jsonl', [
    '{"id": 7, "text": "fine", "flag": false, "ts": 1700000000}',
    '',
    '{"id": 8, "text": "bad", "flag": true, "ts": "2023-11-15T00:00:00Z"}',
    '{"id": 9, "flag": 1, "ts": 1700000000000}',
  ].join('\n'));
  const { table: t, record } = importLabelledTable(f, { text: 'text', label: 'flag', id: 'id', time: 'ts' });
  assert.equal(record.format, 'jsonl');
  assert.deepEqual(t.videoId, ['7', '8', '9']);
  assert.deepEqual(Array.from(t.harmful), [0, 1, 1]);
  assert.deepEqual(t.transcript, ['fine', 'bad', null]);
  assert.deepEqual(Array.from(t.uploadTs), [1700000000000, Date.UTC(2023, 10, 15), 1700000000000]);
  const bad = write('bad.jsonl', '{"text": "a", "y": 0}\n{"text": "b", y: 1}\n');
  assert.throws(() => importLabelledTable(bad, { text: 'text', label: 'y' }), vigilError(/bad\.jsonl line 2: not valid JSON/));
  const nested = write('nested.jsonl', '{"text": {"a": 1}, "y": 0}\n');
  assert.throws(() => importLabelledTable(nested, { text: 'text', label: 'y' }), vigilError(/line 1, column 'text': expected a string, number, boolean or null, got an object/));
  const noTime = write('notime.jsonl', '{"text": "a", "y": 0, "ts": 5}\n{"text": "b", "y": 1}\n');
  assert.throws(() => importLabelledTable(noTime, { text: 'text', label: 'y', time: 'ts' }), vigilError(/line 2, column 'ts': cannot read time \(missing\)/));
});

test('vigil import writes a dataset folder that loads and splits; an unrelated folder is not replaced', async () => {
  const f = write('cli.csv', ['text,y', ...Array.from({ length: 60 }, (_, i) => `"post ${i}, words",${i % 6 === 0 ? 'true' : 'false'}`)].join('\n'));
  const out = join(dir, 'ds');
  const log = console.log;
  const printed: string[] = [];
  console.log = (...a: unknown[]) => { printed.push(a.join(' ')); };
  try {
    assert.equal(await main(['import', f, '--text', 'text', '--label', 'y', '--out', out]), 0);
    assert.match(printed.join('\n'), /imported 60 rows [^]*positives 10 \(16\.67%\)/);
    assert.match(printed.join('\n'), /time: none/);
    const rec = JSON.parse(readFileSync(join(out, 'import.json'), 'utf8'));
    assert.equal(rec.rows, 60);
    assert.equal(rec.positives, 10);
    assert.equal(rec.time, false);
    assert.equal(rec.columns.text, 'text');
    assert.equal(rec.columns.id, null);
    assert.match(rec.sourceSha256, /^[0-9a-f]{64}$/);
    const t = await readVideoTable(out);
    assert.equal(t.n, 60);
    assert.equal(t.videoId[0], 'row-1');
    assert.equal(t.transcript[3], 'post 3, words');
    assert.equal(t.frameDim, 0);
    // Re-importing replaces the dataset folder.
    assert.equal(await main(['import', f, '--text', 'text', '--label', 'y', '--out', out]), 0);
    const split = join(dir, 'split.parquet');
    assert.equal(await main(['split', '--data', out, '--out', split, '--set', 'split.minFoldPositives=2']), 0);
    assert.match(printed.join('\n'), /no timestamps: stratified group split, not a recent-time holdout/);
  } finally {
    console.log = log;
  }
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'keep me');
  await assert.rejects(importToDataset(f, other, { text: 'text', label: 'y' }), /already holds files that are not part of a dataset \(notes\.txt\)/);
  assert.ok(existsSync(join(other, 'notes.txt')));
});

const DAVIDSON = '/work/shared/data/davidson-2017/labeled_data.csv';

test('Davidson et al. (2017) tweets: 24,783 rows, 1,430 hate-speech positives', { skip: existsSync(DAVIDSON) ? false : `${DAVIDSON} is not present` }, () => {
  const { table: t, record } = importLabelledTable(DAVIDSON, { text: 'tweet', label: 'class', positive: ['0'] });
  assert.equal(t.n, 24_783);
  assert.equal(record.positives, 1_430);
  assert.deepEqual(record.labelValues, { 1: 19_190, 2: 4_163, 0: 1_430 });
  assert.equal(record.emptyText, 0);
  // Quoted tweets with commas, doubled quotes and line breaks come through whole.
  assert.ok(t.transcript.some((s) => s !== null && s.includes('\n')), 'a tweet with a line break');
  assert.ok(t.transcript.some((s) => s !== null && s.includes('"')), 'a tweet with a quote');
});
