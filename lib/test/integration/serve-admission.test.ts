import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../src/serve/server.js';
import { heldScorer, httpCall } from '../helpers/http.js';
import { makeRunFolder, validRequest } from '../helpers/servingFixture.js';

const request = httpCall;

/**
 * Admission control and shutdown: a bounded number of scoring requests in flight (503 +
 * Retry-After beyond it, readiness unready while overloaded) and a drain that answers every
 * accepted request before the process exits 0.
 */



const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('full: the next scoring request gets 503 + Retry-After at once, readiness turns unready, and recovers', async () => {
  const h = heldScorer();
  const srv = await startServer(async () => h.scorer, { port: 0, host: '127.0.0.1', log: () => undefined, maxInFlight: 4 });
  try {
    await srv.ready;
    assert.equal((await request(srv.port, 'GET', '/readyz')).status, 200);
    h.hold();
    const held = Array.from({ length: 4 }, (_, i) => request(srv.port, 'POST', '/v1/score', validRequest(i + 1)));
    await until(() => srv.load().inFlight === 4);
    const t0 = Date.now();
    const shedRes = await request(srv.port, 'POST', '/v1/score', validRequest(9));
    assert.equal(shedRes.status, 503);
    assert.ok(Date.now() - t0 < 1000, 'shed without waiting');
    assert.equal(shedRes.headers['retry-after'], '1');
    assert.equal(shedRes.json.field, 'server');
    assert.match(shedRes.json.error, /overloaded/);
    const ready = await request(srv.port, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.json.reason, /overloaded/);
    // Liveness is not readiness: the process is healthy, just full.
    assert.equal((await request(srv.port, 'GET', '/healthz')).status, 200);
    assert.equal(srv.load().shed, 1);
    h.release();
    for (const r of await Promise.all(held)) assert.equal(r.status, 200);
    // Ready again once the overload has passed (held for a second after the last shed request).
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await request(srv.port, 'GET', '/readyz')).status, 200);
    assert.equal((await request(srv.port, 'POST', '/v1/score', validRequest(10))).status, 200);
  } finally {
    h.release();
    await srv.shutdown('test end');
  }
});

test('drain: every accepted request finishes; readiness is 503 meanwhile', async () => {
  const h = heldScorer();
  const srv = await startServer(async () => h.scorer, { port: 0, host: '127.0.0.1', log: () => undefined, maxInFlight: 64 });
  await srv.ready;
  h.hold();
  const held = Array.from({ length: 20 }, (_, i) => request(srv.port, 'POST', '/v1/score', validRequest(i + 1)));
  await until(() => srv.load().inFlight === 20);
  const stopped = srv.shutdown('test');
  assert.equal(srv.isReady(), false);
  setTimeout(() => h.release(), 300);
  const results = await Promise.all(held);
  assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
  assert.equal(await stopped, true);
});

test('drain past the grace period: connections are cut and shutdown reports it', async () => {
  const h = heldScorer();
  const srv = await startServer(async () => h.scorer, { port: 0, host: '127.0.0.1', log: () => undefined, drainGraceMs: 300 });
  await srv.ready;
  h.hold();
  const stuck = request(srv.port, 'POST', '/v1/score', validRequest(1)).then(() => 'answered', () => 'cut');
  await until(() => srv.load().inFlight === 1);
  const t0 = Date.now();
  assert.equal(await srv.shutdown('test'), false);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(await stuck, 'cut');
  h.release();
});

test('SIGTERM with 200 requests in flight: all 200 answered 200, exit 0', async () => {
  const dir = makeRunFolder({ seed: 6 }).dir;
  // Each scoring call is held 1.5 s; room for all 200 in flight.
  const child = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'serveChild.js'), dir, '1500', '256'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c) => { buf += c; const m = /READY (\d+)/.exec(buf); if (m) resolve(Number(m[1])); });
      child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
    let sent = 0;
    const inflight = Array.from({ length: 200 }, (_, i) => new Promise<number>((resolve) => {
      const data = Buffer.from(JSON.stringify(validRequest(i + 1)));
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/score', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(-1));
      req.on('finish', () => { sent++; });
      req.end(data);
    }));
    await until(() => sent === 200, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const statuses = await Promise.all(inflight);
    const counts: Record<string, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    assert.deepEqual(counts, { 200: 200 });
    assert.equal(await exited, 0);
    agent.destroy();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
