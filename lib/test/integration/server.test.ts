import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { createRng } from '../../src/util/rng.js';
import { httpCall } from '../helpers/http.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

let run: ReturnType<typeof makeRunFolder>;
let srv: RunningServer;
let base: string;
const logs: Record<string, unknown>[] = [];

before(async () => {
  run = makeRunFolder({ seed: 2 });
  srv = await startServer(async () => (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer,
    { port: 0, host: '127.0.0.1', maxBodyBytes: 256 * 1024, maxBatch: 8, log: (e) => logs.push(e) });
  await srv.ready;
  base = `http://127.0.0.1:${srv.port}`;
});
after(async () => {
  agent.destroy();
  await srv.shutdown('test end');
  rmSync(run.dir, { recursive: true, force: true });
});

// node:http with keep-alive: fetch costs several ms per request here, which would dominate the fuzz run.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const post = (path: string, body: unknown) => httpCall(srv.port, 'POST', path, body, agent);

test('health, readiness, model info', async () => {
  assert.equal((await fetch(base + '/healthz')).status, 200);
  const ready = await fetch(base + '/readyz');
  assert.equal(ready.status, 200);
  const info = await (await fetch(base + '/v1/model')).json() as Record<string, unknown>;
  assert.equal(info.model_version, 'run-test-1');
  assert.equal(info.frame_dim, TEST_CONFIG.frameDim);
  assert.equal((await fetch(base + '/nope')).status, 404);
  assert.equal((await fetch(base + '/v1/score')).status, 405);
});

test('score one and a batch; responses follow the contract', async () => {
  const one = await post('/v1/score', validRequest(1));
  assert.equal(one.status, 200);
  for (const k of ['video_id', 'risk_score', 'action', 'reason_codes', 'model_version', 'policy_version', 'latency_ms']) assert.ok(k in one.json, k);
  const batch = await post('/v1/score/batch', [validRequest(1), validRequest(2, 9, 0)]);
  assert.equal(batch.status, 200);
  assert.equal(batch.json.length, 2);
  assert.ok(Math.abs(batch.json[0].risk_score - one.json.risk_score) < 1e-5, 'batching does not change a score');
  const last = logs.filter((l) => l.path === '/v1/score/batch').pop()!;
  assert.equal(last.status, 200);
  assert.equal(typeof last.ms, 'number');
});

test('each kind of bad input → 4xx naming the field, and the server keeps serving', async () => {
  const v = validRequest(3);
  const emb = v.frame_emb as number[][];
  const cases: [string, string | unknown, number, string][] = [
    ['/v1/score', '{"video_id": "x", ', 400, 'body'],
    ['/v1/score', { ...v, video_id: undefined }, 400, 'video_id'],
    ['/v1/score', { ...v, prior_strikes: 'many' }, 400, 'prior_strikes'],
    ['/v1/score', { ...v, frame_emb: [emb[0].slice(1)] }, 422, 'frame_emb[0]'],
    ['/v1/score', { ...v, frame_emb: [emb[0], [...emb[1], 1]] }, 422, 'frame_emb[1]'],
    ['/v1/score', JSON.stringify({ ...v }).replace(/\[\[(-?[0-9.]+)/, '[[1e400'), 400, 'frame_emb[0]'],
    ['/v1/score', { ...v, frame_emb: Array.from({ length: 601 }, () => emb[0]), frame_ts: undefined }, 422, 'frame_emb'],
    ['/v1/score', { ...v, thumbnail_emb: [[1, 2]] }, 400, 'thumbnail_emb'],
    ['/v1/score/batch', [v, { ...v, audio_emb: 'abc' }], 400, '[1].audio_emb'],
    ['/v1/score/batch', { not: 'an array' }, 400, 'body'],
    ['/v1/score/batch', Array.from({ length: 9 }, () => ({ video_id: 'x' })), 413, 'body'],
  ];
  for (const [path, body, status, field] of cases) {
    const r = await post(path, body);
    assert.equal(r.status, status, `${field}: ${JSON.stringify(r.json).slice(0, 300)}`);
    assert.equal(r.json.field, field);
    assert.equal(typeof r.json.error, 'string');
  }
  // Oversized body (declared length over the limit).
  const big = await post('/v1/score', { ...v, transcript: 'x'.repeat(300 * 1024) });
  assert.equal(big.status, 413);
  assert.equal(big.json.field, 'body');
  assert.equal((await post('/v1/score', v)).status, 200);
});

function mutate(rng: ReturnType<typeof createRng>, valid: Record<string, unknown>): string {
  const v: Record<string, unknown> = structuredClone(valid);
  const keys = Object.keys(v);
  const junk = (): unknown => {
    const pick = rng.int(12);
    return [null, true, 0, -1, 1e308, 'x', '', [], {}, [[1]], 'AAAA', NaN][pick];
  };
  const ops = 1 + rng.int(3);
  let text: string | null = null;
  for (let o = 0; o < ops; o++) {
    const k = keys[rng.int(keys.length)];
    switch (rng.int(9)) {
      case 0: delete v[k]; break;
      case 1: v[k] = junk(); break;
      case 2: { const e = v.frame_emb as unknown[][]; if (Array.isArray(e) && Array.isArray(e[0])) e[rng.int(e.length)][rng.int(4)] = junk(); break; }
      case 3: { const e = v.frame_emb as unknown[][]; if (Array.isArray(e) && Array.isArray(e[0])) e[rng.int(e.length)].push(0.5); break; }
      case 4: v[`extra_${rng.int(5)}`] = junk(); break;
      case 5: { const e = v.audio_emb as unknown[]; if (Array.isArray(e)) e.splice(rng.int(e.length + 1), 1); break; }
      case 6: { const e = v.frame_emb; if (Array.isArray(e)) v.frame_emb = Buffer.from(new Float32Array(e.length * TEST_CONFIG.frameDim - rng.int(2)).buffer).toString('base64'); break; }
      case 7: v.frame_ts = Array.from({ length: rng.int(6) }, () => (rng.next() < 0.2 ? -1 : rng.next() * 10)); break;
      default: text = JSON.stringify(v); break;
    }
  }
  text = JSON.stringify(v);
  const cut = rng.int(10);
  if (cut === 0) return text.slice(0, rng.int(text.length));
  if (cut === 1) { const i = rng.int(text.length); return text.slice(0, i) + String.fromCharCode(rng.int(128)) + text.slice(i + 1); }
  if (cut === 2) return JSON.stringify([v, v]);
  return text;
}

test('fuzz: 2,000 random mutations of a valid request never give a 5xx or kill the server', async () => {
  const rng = createRng(2026);
  const valid = validRequest(4, 4, 3);
  const statuses = new Map<number, number>();
  const t0 = Date.now();
  const N = 2000;
  let next = 0;
  const worker = async () => {
    while (next < N) {
      next++;
      const body = mutate(rng, valid);
      const path = rng.next() < 0.15 ? '/v1/score/batch' : '/v1/score';
      const r = await post(path, path === '/v1/score/batch' && rng.next() < 0.5 ? `[${body}]` : body);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      assert.ok(r.status < 500, `5xx for ${body.slice(0, 300)}: ${JSON.stringify(r.json)}`);
      if (r.status >= 400) assert.equal(typeof r.json.field, 'string', JSON.stringify(r.json));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  assert.ok(Date.now() - t0 < 30_000);
  assert.ok((statuses.get(200) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400), JSON.stringify([...statuses]));
  assert.equal((await post('/v1/score', valid)).status, 200);
  assert.equal((await fetch(base + '/healthz')).status, 200);
});

test('SIGTERM: readiness drops, the in-flight request finishes, the process exits 0', async () => {
  const dir = makeRunFolder({ seed: 4 }).dir;
  const child = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'serveChild.js'), dir, '700'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c) => { buf += c; const m = /READY (\d+)/.exec(buf); if (m) resolve(Number(m[1])); });
      child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const inflight = fetch(`${url}/v1/score`, { method: 'POST', body: JSON.stringify(validRequest(5)) });
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { video_id: string }).video_id, 'v5');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`${url}/healthz`));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
