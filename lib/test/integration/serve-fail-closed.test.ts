import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { parseVideo } from '../../src/serve/request.js';
import type { ServingPreprocessor } from '../../src/serve/preprocessing.js';
import { createRng } from '../../src/util/rng.js';
import { httpCall } from '../helpers/http.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

/**
 * Fails closed: inputs far outside the training data are refused (4xx naming the field and the
 * accepted range), invalid UTF-8 is refused, and a score that cannot be computed is QUEUE with
 * SCORE_UNAVAILABLE — never a 200 with a null/NaN risk, never ALLOW for an out-of-range input.
 */
let run: ReturnType<typeof makeRunFolder>;
let srv: RunningServer;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

before(async () => {
  run = makeRunFolder({ seed: 5 });
  srv = await startServer(async () => (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer,
    { port: 0, host: '127.0.0.1', log: () => undefined });
  await srv.ready;
});
after(async () => {
  agent.destroy();
  await srv.shutdown('test end');
  rmSync(run.dir, { recursive: true, force: true });
});


const post = (path: string, body: unknown) => httpCall(srv.port, 'POST', path, body, agent);

/** A 200 must carry a finite probability; a body never prints Infinity/NaN. */
function assertSane(r: { status: number; json: any; text: string }, what: string): void {
  assert.ok(r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.doesNotMatch(r.text, /Infinity|NaN/, what);
  if (r.status === 200) {
    for (const o of Array.isArray(r.json) ? r.json : [r.json]) {
      assert.equal(typeof o.risk_score, 'number', `${what}: risk ${o.risk_score}`);
      assert.ok(o.risk_score >= 0 && o.risk_score <= 1, `${what}: risk ${o.risk_score}`);
      for (const c of o.reason_codes) assert.ok(Number.isFinite(c.score), `${what}: ${c.code} score ${c.score}`);
    }
  } else {
    assert.equal(typeof r.json.field, 'string', what);
  }
}

test('the issue\'s requests: 1e308 duration, 1e10 embedding value, 1e308 frame_ts → 4xx naming the field and range', async () => {
  const zeros = Buffer.from(new Float32Array(TEST_CONFIG.frameDim).buffer).toString('base64');
  const emb = (validRequest(1).frame_emb as number[][]).map((r) => [...r]);
  emb[0][0] = 1e10;
  const cases: [unknown, string][] = [
    [{ video_id: 'x', duration_s: 1e308, frame_emb: zeros }, 'duration_s'],
    [{ video_id: 'x', duration_s: 1e30, frame_emb: zeros }, 'duration_s'],
    [{ video_id: 'x', account_age_days: 1e308, frame_emb: zeros }, 'account_age_days'],
    [{ video_id: 'x', account_age_days: 3.5e38, frame_emb: zeros }, 'account_age_days'],
    [{ video_id: 'x', prior_strikes: 1e308, frame_emb: zeros }, 'prior_strikes'],
    [{ ...validRequest(1), frame_emb: emb }, 'frame_emb[0]'],
    [{ ...validRequest(1), frame_ts: [1e308, 1, 2, 3] }, 'frame_ts[0]'],
  ];
  for (const [body, field] of cases) {
    const r = await post('/v1/score', body);
    assertSane(r, field);
    assert.equal(r.status, 422, `${field}: ${r.text}`);
    assert.equal(r.json.field, field);
    assert.match(r.json.error, /outside the accepted range \[/);
    const b = await post('/v1/score/batch', [validRequest(2), body]);
    assert.equal(b.status, 422);
    assert.equal(b.json.field, `[1].${field}`);
  }
});

test('invalid UTF-8 in a string field → 400 naming that field (not silently replaced)', async () => {
  const good = JSON.stringify({ ...validRequest(1), video_id: 'AAAA', transcript: 'BBBB' });
  const withBytes = (marker: string) => {
    const raw = Buffer.from(good);
    const at = raw.indexOf(marker);
    raw[at + 1] = 0xff; raw[at + 2] = 0xfe; // not UTF-8
    return raw;
  };
  for (const [marker, field] of [['AAAA', 'video_id'], ['BBBB', 'transcript']] as const) {
    const r = await post('/v1/score', withBytes(marker));
    assertSane(r, field);
    assert.equal(r.status, 400);
    assert.equal(r.json.field, field);
    assert.match(r.json.error, /not valid UTF-8/);
    const b = await post('/v1/score/batch', Buffer.concat([Buffer.from('['), withBytes(marker), Buffer.from(']')]));
    assert.equal(b.json.field, `[0].${field}`);
  }
  // A genuine U+FFFD sent as valid UTF-8 is just a character.
  assert.equal((await post('/v1/score', { ...validRequest(1), video_id: 'a\uFFFDb' })).status, 200);
});

test('error bodies do not echo unbounded input', async () => {
  const key = 'k'.repeat(1 << 20);
  const r = await post('/v1/score', `{"video_id":"x","${key}":1}`);
  assert.equal(r.status, 400);
  assert.ok(r.text.length < 3000, `error body of ${r.text.length} bytes`);
});

test('fuzz: extreme numbers in every numeric field never give a null/NaN risk, and out-of-range inputs are never ALLOW', async () => {
  const rng = createRng(15);
  const huge = [1e308, -1e308, 1.7976931348623157e308, 3.5e38, 3.4e38, 1e30, 1e10, -1e10, 1e7];
  const odd = [5e-324, -5e-324, 0, -0, 2 ** 53, -1, 0.5, 23.5, 1e-30];
  const scalars = ['duration_s', 'account_age_days', 'prior_strikes', 'upload_hour', 'asr_confidence', 'upload_ts'];
  const ranges = (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer.limits.ranges!;
  let n200 = 0, n4xx = 0;
  for (let k = 0; k < 400; k++) {
    const v = validRequest(1 + (k % 7), 1 + (k % 5), k % 3) as Record<string, any>;
    const x = rng.next() < 0.6 ? huge[Math.floor(rng.next() * huge.length)] : odd[Math.floor(rng.next() * odd.length)];
    const kind = rng.next();
    let field: string;
    if (kind < 0.45) {
      field = scalars[Math.floor(rng.next() * scalars.length)];
      v[field] = x;
    } else if (kind < 0.8) {
      const key = v.audio_emb?.length && rng.next() < 0.4 ? 'audio_emb' : 'frame_emb';
      const rows = v[key] as number[][];
      const i = Math.floor(rng.next() * rows.length), j = Math.floor(rng.next() * rows[0].length);
      rows[i][j] = x;
      field = `${key}[${i}]`;
      // Half the time as base64 (float32: beyond ±3.4e38 it cannot be encoded; keep the row finite then).
      if (rng.next() < 0.5 && Number.isFinite(Math.fround(x))) v[key] = Buffer.from(new Float32Array(rows.flat()).buffer).toString('base64');
    } else {
      const key = v.audio_ts?.length && rng.next() < 0.4 ? 'audio_ts' : 'frame_ts';
      const ts = v[key] as number[];
      const i = Math.floor(rng.next() * ts.length);
      ts[i] = x;
      field = key;
    }
    const r = await post('/v1/score', v);
    assertSane(r, `${field}=${x}`);
    const parsed = parseVideo(v, { frameDim: TEST_CONFIG.frameDim, audioDim: TEST_CONFIG.audioDim, maxItems: 600 });
    const outOfRange = Math.abs(x) >= 1e7 && !(field === 'upload_ts' && Math.abs(x) < 8.64e15);
    if (outOfRange) {
      assert.ok(r.status >= 400 && r.status < 500, `${field}=${x} answered ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(String(r.json.field).startsWith(field.replace(/\[\d+\]$/, '')), `${field}=${x}: field ${r.json.field}`);
    }
    if (r.status === 200) {
      n200++;
      assert.ok(parsed.ok, `${field}=${x} scored but fails type validation`);
      assert.ok(!outOfRange, `${field}=${x} out of range ${JSON.stringify(ranges.scalars)} but answered ${r.json.action}`);
    } else n4xx++;
  }
  assert.ok(n200 > 20 && n4xx > 100, `200s ${n200}, 4xx ${n4xx}`);
});

test('defence in depth: a non-finite model input or score is QUEUE with SCORE_UNAVAILABLE, never null/0/ALLOW', async () => {
  // A preprocessing that breaks on one video (as a numeric overflow would) — the rest of the batch is unaffected.
  const inner = testPreprocessor(TEST_CONFIG);
  const poisoning: ServingPreprocessor = {
    keptItems: inner.keptItems,
    transform(t, rows) {
      const x = inner.transform(t, rows);
      rows.forEach((r, b) => { if (t.videoId[r] === 'poison') x.meta[b * TEST_CONFIG.metaDim] = Infinity; });
      return x;
    },
  };
  const { scorer } = await loadRunFolder(run.dir, { loadPreprocessor: () => poisoning });
  try {
    const ok = parseVideo(validRequest(1), scorer.limits), bad = parseVideo({ ...validRequest(2), video_id: 'poison' }, scorer.limits);
    assert.ok(ok.ok && bad.ok);
    const [a, b] = await scorer.scoreVideos([ok.value, bad.value]);
    const [alone] = await scorer.scoreVideos([ok.value]);
    assert.ok(Math.abs(a.risk_score - alone.risk_score) < 1e-6);
    assert.equal(b.action, 'QUEUE');
    assert.equal(b.risk_score, scorer.policy.queueThreshold);
    assert.deepEqual(b.reason_codes.map((c) => c.code), ['SCORE_UNAVAILABLE']);
    assert.doesNotMatch(JSON.stringify(b), /Infinity|NaN|null/);
  } finally { await scorer.close(); }
});
