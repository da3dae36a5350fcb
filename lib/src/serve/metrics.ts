import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ScoreResponse } from './scorer.js';

/**
 * The server's Prometheus metrics (GET /metrics), on a registry of its own so that several servers
 * in one process (tests, the bench) never share or double-register counters. Label values come from
 * small fixed sets (routes, statuses, actions): a client cannot create new series by sending odd paths.
 */
export const METRICS_PATH = '/metrics';

/** Routes reported by name; any other path is counted as `other`. */
const ROUTES = new Set(['/v1/score', '/v1/score/batch', '/healthz', '/readyz', '/v1/model', METRICS_PATH]);

/** Seconds; fine below 50 ms where the latency targets are, coarse above. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Calibrated risk in twentieths: a shift of the score distribution (drift) shows as moving mass between buckets. */
const SCORE_BUCKETS = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

/** What the server reports about itself when scraped (read at scrape time, not per request). */
export interface ServerGaugeSource {
  /** HTTP requests being handled now (any route). */
  inFlight(): number;
  /** Scoring requests admitted and not yet answered (reading the body, waiting for or in the model). */
  admitted(): number;
  /** The admission limit (--max-in-flight). */
  maxInFlight: number;
  ready(): boolean;
}

export interface ServerMetrics {
  registry: Registry;
  /** One finished HTTP request (status 499/408 for connections closed before an answer). */
  request(path: string, status: number, seconds: number): void;
  /** Scored videos of one 200 answer: their actions and risk scores. */
  scored(responses: ScoreResponse[]): void;
  /** One scoring request refused with 503 because the admission limit was reached. */
  shed(): void;
  /** The loaded model and policy (exported as an info-style gauge with value 1). */
  model(modelVersion: string, policyVersion: string): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function routeLabel(path: string): string {
  return ROUTES.has(path) ? path : 'other';
}

export function createServerMetrics(source: ServerGaugeSource): ServerMetrics {
  const registry = new Registry();
  // Process CPU, memory, GC and event-loop lag: where a latency tail usually comes from.
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'vigil_http_requests_total', help: 'HTTP requests answered, by route and status code.',
    labelNames: ['route', 'status'] as const, registers: [registry],
  });
  const latency = new Histogram({
    name: 'vigil_http_request_duration_seconds', help: 'Time from request arrival to the last byte of the answer, by route.',
    labelNames: ['route'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const decisions = new Counter({
    name: 'vigil_scored_videos_total', help: 'Videos scored (single and batch requests), by policy action.',
    labelNames: ['action'] as const, registers: [registry],
  });
  const scores = new Histogram({
    name: 'vigil_risk_score', help: 'Calibrated risk scores returned (compare against the training-time distribution for drift).',
    buckets: SCORE_BUCKETS, registers: [registry],
  });
  const shedTotal = new Counter({
    name: 'vigil_shed_requests_total', help: 'Scoring requests refused with 503 + Retry-After because the admission limit was reached.',
    registers: [registry],
  });
  new Gauge({
    name: 'vigil_http_in_flight_requests', help: 'HTTP requests being handled now (any route).', registers: [registry],
    collect() { this.set(source.inFlight()); },
  });
  new Gauge({
    name: 'vigil_scoring_queue_depth', help: 'Scoring requests admitted and not yet answered (body being read, waiting for or in the model).',
    registers: [registry], collect() { this.set(source.admitted()); },
  });
  new Gauge({
    name: 'vigil_scoring_queue_limit', help: 'Most scoring requests admitted at once (--max-in-flight); beyond it requests are shed.',
    registers: [registry], collect() { this.set(source.maxInFlight); },
  });
  new Gauge({
    name: 'vigil_ready', help: '1 when /readyz answers 200 (model loaded, not draining, not overloaded).', registers: [registry],
    collect() { this.set(source.ready() ? 1 : 0); },
  });
  const modelInfo = new Gauge({
    name: 'vigil_model_info', help: 'The model and policy being served (value 1).',
    labelNames: ['model_version', 'policy_version'] as const, registers: [registry],
  });
  // Zero-valued series exist from the start, so a rate() over the first shed is not lost.
  for (const action of ['ALLOW', 'QUEUE', 'BLOCK']) decisions.inc({ action }, 0);
  shedTotal.inc(0);

  return {
    registry,
    request(path, status, seconds) {
      const route = routeLabel(path);
      requests.inc({ route, status: String(status) });
      latency.observe({ route }, seconds);
    },
    scored(responses) {
      for (const r of responses) {
        decisions.inc({ action: r.action });
        if (Number.isFinite(r.risk_score)) scores.observe(r.risk_score);
      }
    },
    shed() { shedTotal.inc(); },
    model(modelVersion, policyVersion) {
      modelInfo.reset();
      modelInfo.set({ model_version: modelVersion, policy_version: policyVersion }, 1);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
