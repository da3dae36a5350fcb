import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer } from '../../src/serve/server.js';
import net from 'node:net';
import { measureHttpLoad, coresFor, runLoad } from '../../src/serve/loadGen.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

test('cores for a daily volume: hand-computed', () => {
  // 12M/day = 138.9/s; ×3 peak = 416.7/s; at 500/s per core → 1 core, at 100/s → 5.
  assert.equal(coresFor(12_000_000, 500), 1);
  assert.equal(coresFor(12_000_000, 100), 5);
  assert.equal(coresFor(12_000_000, 100, 1), 2);
});

test('load from a separate process: open loop at a fixed rate and closed loop, bounded, no errors', async () => {
  const run = makeRunFolder({ seed: 3 });
  const srv = await startServer(async () => (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer,
    { port: 0, host: '127.0.0.1', log: () => undefined });
  try {
    await srv.ready;
    const body = JSON.stringify(validRequest(1, 18, 6));
    const open = await measureHttpLoad({ port: srv.port, body, ratePerS: 100, durationS: 1, concurrency: 8 });
    assert.equal(open.mode, 'open');
    assert.ok(open.sent >= 90 && open.sent <= 101, `sent ${open.sent}`);
    assert.equal(open.errors, 0);
    assert.ok(open.latencyMs.p50 > 0);
    const closed = await measureHttpLoad({ port: srv.port, body, concurrency: 2, durationS: 1, maxRequests: 300 });
    assert.equal(closed.errors, 0);
    assert.ok(closed.sent <= 300 + 2);
    assert.ok(closed.throughputPerS > 0);
    const bad = await measureHttpLoad({ port: srv.port, body: '{', concurrency: 1, durationS: 1, maxRequests: 5 });
    assert.equal(bad.errors, 5);
    assert.equal(bad.statuses['400'], 5);
  } finally {
    await srv.shutdown();
    rmSync(run.dir, { recursive: true, force: true });
  }
});

test('load generator: connections the server drops fail their requests and never leave one waiting', async () => {
  // A server that accepts and immediately closes every connection: each request is a connection error.
  const dropper = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (dropper.address() as net.AddressInfo).port;
    const r = await runLoad({ port, body: '{}', ratePerS: 200, concurrency: 2, durationS: 0.5 });
    assert.ok(r.sent >= 90, `sent ${r.sent}`);
    assert.equal(r.ok, 0);
    assert.equal(r.errors, r.sent);
    assert.equal(r.statuses.error, r.sent);
  } finally {
    dropper.close();
  }
});
