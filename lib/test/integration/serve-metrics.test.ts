import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer } from '../../src/serve/server.js';
import type { ScoreResponse } from '../../src/serve/scorer.js';
import { heldScorer, httpCall } from '../helpers/http.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG, validRequest } from '../helpers/servingFixture.js';

const call = httpCall;

/** GET /metrics: Prometheus text whose counters match the traffic that was sent. */


/** The value of one series (`name{a="x",b="y"}` with labels in any order), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) got[l[1]] = l[2];
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('counters, histograms and gauges match the requests sent', async () => {
  const run = makeRunFolder({ seed: 3 });
  const srv = await startServer(async () => (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer,
    { port: 0, host: '127.0.0.1', log: () => undefined, maxInFlight: 7 });
  try {
    await srv.ready;
    const actions: Record<string, number> = { ALLOW: 0, QUEUE: 0, BLOCK: 0 };
    const risks: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(srv.port, 'POST', '/v1/score', validRequest(10 + i));
      assert.equal(r.status, 200);
      const j = JSON.parse(r.text) as ScoreResponse;
      actions[j.action]++;
      risks.push(j.risk_score);
    }
    const batch = await call(srv.port, 'POST', '/v1/score/batch', [validRequest(20), validRequest(21), validRequest(22)]);
    assert.equal(batch.status, 200);
    for (const j of JSON.parse(batch.text) as ScoreResponse[]) { actions[j.action]++; risks.push(j.risk_score); }
    assert.equal((await call(srv.port, 'POST', '/v1/score', '{"video_id":')).status, 400);
    assert.equal((await call(srv.port, 'POST', '/v1/score', { ...validRequest(1), duration_s: 1e308 })).status, 422);
    assert.equal((await call(srv.port, 'GET', '/no/such/path/' + 'x'.repeat(50))).status, 404);
    assert.equal((await call(srv.port, 'GET', '/healthz')).status, 200);

    const m = await call(srv.port, 'GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const t = m.text;
    assert.equal(sample(t, 'vigil_http_requests_total', { route: '/v1/score', status: '200' }), 5);
    assert.equal(sample(t, 'vigil_http_requests_total', { route: '/v1/score', status: '400' }), 1);
    assert.equal(sample(t, 'vigil_http_requests_total', { route: '/v1/score', status: '422' }), 1);
    assert.equal(sample(t, 'vigil_http_requests_total', { route: '/v1/score/batch', status: '200' }), 1);
    // Unknown paths share one label value: a client cannot create series.
    assert.equal(sample(t, 'vigil_http_requests_total', { route: 'other', status: '404' }), 1);
    assert.equal(sample(t, 'vigil_http_requests_total', { route: '/healthz', status: '200' }), 1);
    assert.doesNotMatch(t, /no\/such\/path/);
    for (const a of ['ALLOW', 'QUEUE', 'BLOCK']) assert.equal(sample(t, 'vigil_scored_videos_total', { action: a }), actions[a], a);
    // Latency: every answered /v1/score request is in the histogram, and its +Inf bucket equals its count.
    assert.equal(sample(t, 'vigil_http_request_duration_seconds_count', { route: '/v1/score' }), 7);
    assert.equal(sample(t, 'vigil_http_request_duration_seconds_bucket', { route: '/v1/score', le: '+Inf' }), 7);
    // Score histogram: 8 scored videos, the sum is the sum of the returned risks, buckets are cumulative.
    assert.equal(sample(t, 'vigil_risk_score_count'), 8);
    assert.ok(Math.abs((sample(t, 'vigil_risk_score_sum') ?? NaN) - risks.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.equal(sample(t, 'vigil_risk_score_bucket', { le: '0.5' }), risks.filter((r) => r <= 0.5).length);
    assert.equal(sample(t, 'vigil_model_info', { model_version: 'run-test-1', policy_version: 'policy-test-1' }), 1);
    assert.equal(sample(t, 'vigil_scoring_queue_limit'), 7);
    assert.equal(sample(t, 'vigil_scoring_queue_depth'), 0);
    assert.equal(sample(t, 'vigil_shed_requests_total'), 0);
    assert.equal(sample(t, 'vigil_ready'), 1);
    // The scrape itself is in flight while it is rendered.
    assert.equal(sample(t, 'vigil_http_in_flight_requests'), 1);
    assert.ok((sample(t, 'process_cpu_seconds_total') ?? -1) >= 0, 'default process metrics are exported');
    assert.equal((await call(srv.port, 'POST', '/metrics', {})).status, 405);
  } finally {
    await srv.shutdown('test end');
    rmSync(run.dir, { recursive: true, force: true });
  }
});

test('queue depth and shed count under overload', async () => {
  const h = heldScorer({ risk: 0.7, action: 'QUEUE', version: 'm1' });
  const scorer = h.scorer;
  const srv = await startServer(async () => scorer, { port: 0, host: '127.0.0.1', log: () => undefined, maxInFlight: 2 });
  try {
    await srv.ready;
    h.hold();
    const held = [call(srv.port, 'POST', '/v1/score', validRequest(1)), call(srv.port, 'POST', '/v1/score', validRequest(2))];
    const t0 = Date.now();
    while (srv.load().inFlight < 2) {
      if (Date.now() - t0 > 5000) throw new Error('requests were not admitted');
      await new Promise((r) => setTimeout(r, 5));
    }
    const shed = await Promise.all([1, 2, 3].map((i) => call(srv.port, 'POST', '/v1/score', validRequest(10 + i))));
    assert.deepEqual(shed.map((r) => r.status), [503, 503, 503]);
    const during = (await call(srv.port, 'GET', '/metrics')).text;
    assert.equal(sample(during, 'vigil_scoring_queue_depth'), 2);
    assert.equal(sample(during, 'vigil_shed_requests_total'), 3);
    assert.equal(sample(during, 'vigil_ready'), 0);
    assert.equal(sample(during, 'vigil_http_requests_total', { route: '/v1/score', status: '503' }), 3);
    h.release();
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200]);
    const after = (await call(srv.port, 'GET', '/metrics')).text;
    assert.equal(sample(after, 'vigil_scoring_queue_depth'), 0);
    assert.equal(sample(after, 'vigil_scored_videos_total', { action: 'QUEUE' }), 2);
    assert.equal(sample(after, 'vigil_risk_score_bucket', { le: '0.65' }), 0);
    assert.equal(sample(after, 'vigil_risk_score_bucket', { le: '0.7' }), 2);
  } finally {
    h.release();
    await srv.shutdown('test end');
  }
});
